package jp.renkei.hub.access;

import jp.renkei.hub.context.Permission;

/**
 * What a user does to a record, as the access policy speaks of it. {@code REVOKE} is withdrawing a
 * Consent ({@code POST Consent/{id}/$revoke}): the one change the patient and their proxy make to a
 * record they did not write. {@code RESPOND} is the addressee of a Task changing its status (receive,
 * accept, reject, start, complete) and nothing else.
 */
enum Action {
    READ,
    CREATE,
    UPDATE,
    DELETE,
    REVOKE,
    RESPOND;

    /** The SMART v2 permission letter that must be granted for this action. */
    public Permission permission() {
        return switch (this) {
            case READ -> Permission.READ;
            case CREATE -> Permission.CREATE;
            case UPDATE, REVOKE, RESPOND -> Permission.UPDATE;
            case DELETE -> Permission.DELETE;
        };
    }

    public String code() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    static Action fromCode(String code) {
        for (Action a : values()) {
            if (a.code().equals(code)) {
                return a;
            }
        }
        throw new IllegalArgumentException("unknown action '" + code + "'");
    }
}

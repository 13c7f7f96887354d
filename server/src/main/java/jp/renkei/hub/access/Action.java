package jp.renkei.hub.access;

/** What a user does to a record, as the access policy speaks of it. */
public enum Action {
    READ, CREATE, UPDATE, DELETE;

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

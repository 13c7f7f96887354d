package jp.renkei.hub.access;

/** How a user stands to the patient a record is about (see access-policy.yml for each meaning). */
enum Relation {
    CARE_TEAM("care-team"),
    AUTHOR("author"),
    AUTHOR_ORG("author-org"),
    PATIENT_REGISTRAR("patient-registrar"),
    SELF("self"),
    PROXY("proxy"),
    ADDRESSEE("addressee"),
    CONSENT("consent"),
    BREAK_GLASS("break-glass"),
    ANY("any");

    private final String code;

    Relation(String code) {
        this.code = code;
    }

    public String code() {
        return code;
    }

    static Relation fromCode(String code) {
        for (Relation r : values()) {
            if (r.code.equals(code)) {
                return r;
            }
        }
        throw new IllegalArgumentException("unknown relation '" + code + "'");
    }
}

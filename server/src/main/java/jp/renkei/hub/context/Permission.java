package jp.renkei.hub.context;

/**
 * What a SMART v2 scope grants on a type ({@code patient/Observation.rs}): create, read, update, delete, search. Reading
 * one record and finding it among others are apart: a search result is judged by {@link #SEARCH}, a read, an include
 * or a history entry by {@link #READ}.
 */
public enum Permission {
    CREATE('c'),
    READ('r'),
    UPDATE('u'),
    DELETE('d'),
    SEARCH('s');

    private final char letter;

    Permission(char letter) {
        this.letter = letter;
    }

    /** The letter in a scope's permissions ({@code cruds}). */
    public char letter() {
        return letter;
    }
}

package jp.renkei.hub.search;

/**
 * One {@code _include}: follow the reference parameter {@code param} of the matches, optionally only to {@code targetType};
 * or, with a {@code sourceType}, one {@code _revinclude}: the records of that type whose {@code param} refers to a match.
 */
public record IncludeSpec(String param, String targetType, String sourceType) {

    public IncludeSpec(String param, String targetType) {
        this(param, targetType, null);
    }

    public boolean reverse() {
        return sourceType != null;
    }
}

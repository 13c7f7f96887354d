package jp.renkei.hub.search;

/** One {@code _include}: follow the reference parameter {@code param}, optionally only to {@code targetType}. */
public record IncludeSpec(String param, String targetType) {
}

package jp.renkei.hub.search;

/** One {@code _sort} entry: a date parameter, {@code _lastUpdated} or {@code _id}, ascending or descending. */
public record SortKey(String param, boolean descending) {}

package jp.renkei.hub.search;

import java.util.List;

/** What a query is evaluated against: a stored resource's id, last-updated time and search index. */
public interface IndexedRecord {

    String id();

    long lastUpdated();

    /** The values stored for one parameter by {@link IndexExtractor}, empty when it has none. */
    List<?> indexValues(String param);
}

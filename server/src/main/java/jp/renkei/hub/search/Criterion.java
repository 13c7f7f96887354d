package jp.renkei.hub.search;

import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * One search parameter of a query with its comma-separated alternatives (OR). A query is the AND of
 * its criteria. {@code bucketKeys} is non-null when the alternatives are exact reference or
 * identifier keys, which the store can answer with point lookups instead of a scan.
 */
public record Criterion(String param, Predicate<IndexedRecord> test, Set<String> bucketKeys) {

    public boolean matches(IndexedRecord record) {
        return test.test(record);
    }

    static boolean anyValue(IndexedRecord record, String param, Predicate<Object> valueTest) {
        List<?> values = record.indexValues(param);
        for (Object value : values) {
            if (valueTest.test(value)) {
                return true;
            }
        }
        return false;
    }
}

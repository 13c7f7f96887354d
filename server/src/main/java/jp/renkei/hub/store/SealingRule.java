package jp.renkei.hub.store;

import java.util.List;
import jp.renkei.hub.context.Caller;

/**
 * What the whole write unit must satisfy once every write of it passed the {@link WriteRule}s and the hub's own
 * consequences are known, just before it is stored: the documents that must be signed are checked against the
 * signatures sent with them (in the same unit) or sealed, and the record of that is added. Refusing (a 422)
 * stores nothing.
 */
public interface SealingRule {

    /**
     * @param unit       every write of the unit: the client's first, then the hub's consequences
     * @param fromClient how many of them (from the start) the client asked for
     * @return the unit to store: the same writes, possibly completed or pinned to the version they replace, and more
     */
    List<WriteRequest> seal(List<WriteRequest> unit, int fromClient, Caller caller);
}

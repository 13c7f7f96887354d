package jp.renkei.hub.store;

/**
 * Makes acknowledged writes survive a crash. Called once per write unit, after the unit's last
 * write and before the hub answers the client.
 */
public interface Durability {

    void awaitDurable();

    /** A real MongoDB server: the client's write concern (majority, journaled) already waited. */
    Durability WRITE_CONCERN = () -> {};
}

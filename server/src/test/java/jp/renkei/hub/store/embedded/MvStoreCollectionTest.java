package jp.renkei.hub.store.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.ReplaceOptions;
import com.mongodb.client.model.Updates;
import de.bwaldvogel.mongo.MongoServer;
import java.net.InetSocketAddress;
import java.util.List;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A document, once in the MVStore map, is never changed in place: a commit on another thread may be
 * encoding it at that moment (a ConcurrentModificationException there closes the whole store).
 * Updates, replacements and find-and-modify must put new objects instead.
 */
class MvStoreCollectionTest {

    private MVStore mvStore;
    private MongoServer server;
    private MongoClient client;
    private MongoCollection<org.bson.Document> keys;
    private MVMap<Object, de.bwaldvogel.mongo.bson.Document> map;

    @BeforeEach
    void start() {
        mvStore = new MVStore.Builder().open();
        server = new MongoServer(new MvStoreBackend(mvStore));
        server.bind(new InetSocketAddress("127.0.0.1", 0));
        client = MongoClients.create(server.getConnectionString());
        keys = client.getDatabase("t").getCollection("keys");
        keys.insertOne(new org.bson.Document("_id", "k")
                .append("n", 0)
                .append("ids", List.of("a"))
                .append("tx", "t1"));
        map = MvStoreDatabase.open(mvStore, MvStoreDatabase.DATA_PREFIX + "t.keys");
    }

    @AfterEach
    void stop() {
        client.close();
        server.shutdownNow();
        mvStore.close();
    }

    private void assertStoredObjectUntouchedBy(Runnable change) {
        de.bwaldvogel.mongo.bson.Document stored = map.get("k");
        de.bwaldvogel.mongo.bson.Document before = stored.cloneDeeply();
        change.run();
        assertThat(stored).as("the object that was in the map").isEqualTo(before);
        assertThat(map.get("k")).isNotSameAs(stored).isNotEqualTo(before);
    }

    @Test
    void anUpdateThatAddsAndRemovesFieldsPutsANewDocument() {
        assertStoredObjectUntouchedBy(() -> keys.updateOne(
                Filters.eq("_id", "k"),
                Updates.combine(
                        Updates.inc("n", 1),
                        Updates.addToSet("ids", "b"),
                        Updates.unset("tx"),
                        Updates.set("head", 7))));
        assertThat(keys.find(Filters.eq("_id", "k")).first())
                .containsEntry("n", 1)
                .containsEntry("head", 7)
                .doesNotContainKey("tx");
    }

    @Test
    void aReplacementPutsANewDocument() {
        assertStoredObjectUntouchedBy(() -> keys.replaceOne(
                Filters.eq("_id", "k"),
                new org.bson.Document("_id", "k").append("m", 1),
                new ReplaceOptions().upsert(true)));
        assertThat(keys.find(Filters.eq("_id", "k")).first())
                .containsEntry("m", 1)
                .doesNotContainKey("n");
    }

    @Test
    void aFindAndModifyPutsANewDocument() {
        assertStoredObjectUntouchedBy(() -> keys.findOneAndUpdate(
                Filters.eq("_id", "k"), Updates.set("claimed", true), new FindOneAndUpdateOptions()));
        assertThat(keys.find(Filters.eq("_id", "k")).first()).containsEntry("claimed", true);
    }
}

package jp.renkei.hub.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

class TimeOrderedIdsTest {

    @Test
    void idsAreVersion7UuidsThatAreValidFhirIds() {
        String id = TimeOrderedIds.next();
        UUID uuid = UUID.fromString(id);
        assertThat(uuid.version()).isEqualTo(7);
        assertThat(uuid.variant()).isEqualTo(2);
        assertThat(id).matches("[A-Za-z0-9\\-.]{1,64}");
        long millis = uuid.getMostSignificantBits() >>> 16;
        assertThat(millis).isBetween(System.currentTimeMillis() - 5_000, System.currentTimeMillis() + 1_000);
    }

    @Test
    void idsFromOneThreadIncreaseAsStringsEvenWithinOneMillisecond() {
        String previous = TimeOrderedIds.next();
        for (int i = 0; i < 50_000; i++) {
            String next = TimeOrderedIds.next();
            assertThat(next).isGreaterThan(previous);
            previous = next;
        }
    }

    @Test
    void concurrentCallersNeverGetTheSameId() throws Exception {
        Set<String> seen = ConcurrentHashMap.newKeySet();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            Thread thread = new Thread(() -> {
                for (int i = 0; i < 20_000; i++) {
                    seen.add(TimeOrderedIds.next());
                }
            });
            thread.start();
            threads.add(thread);
        }
        for (Thread thread : threads) {
            thread.join();
        }
        assertThat(seen).hasSize(8 * 20_000);
    }
}

package dev.keel.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.replication.api.Generation;
import dev.keel.replication.api.ReplicaLayout;
import dev.keel.replication.spi.NoSuchObjectException;
import dev.keel.replication.spi.ObjectInfo;
import dev.keel.replication.spi.Payload;
import dev.keel.replication.spi.ReplicaClient;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The behaviour every {@link ReplicaClient} must show, whatever stores its bytes. A backend's test
 * extends this class and returns a client on an empty replica root from {@link #newClient()}; every
 * test here gets its own client and root, so the server may be shared by the whole class.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
public abstract class ReplicaClientContract {
    /** Backends keep timestamps to the second at best; allow that much and a little clock skew. */
    private static final Duration CLOCK_SLACK = Duration.ofSeconds(5);

    protected ReplicaClient client;

    /** A client on a fresh, empty replica root that no other test uses. */
    protected abstract ReplicaClient newClient() throws Exception;

    /** Credentials the client was given, which {@link ReplicaClient#describe()} must never show. */
    protected Collection<String> secrets() {
        return List.of();
    }

    /** Size of the large-object test; big enough to need a backend's multipart or block path. */
    protected long largeObjectSize() {
        return 24L * 1024 * 1024;
    }

    /** How many objects the "delete many" test writes and deletes in one call. */
    protected int manyObjects() {
        return 120;
    }

    @BeforeEach
    final void openClient() throws Exception {
        client = newClient();
    }

    @AfterEach
    final void closeClient() throws Exception {
        if (client != null) client.close();
    }

    @Test
    void listOfAnEmptyReplicaIsEmpty() throws IOException {
        assertThat(client.list("")).isEmpty();
        assertThat(client.list("generations/")).isEmpty();
    }

    @Test
    void writtenObjectReadsBackWhole() throws IOException {
        byte[] data = bytes(1, 10_000);
        client.write("a/object.bin", Payload.of(data));
        assertThat(readAll(client.open("a/object.bin"))).isEqualTo(data);
    }

    @Test
    void emptyObjectIsStoredAndListed() throws IOException {
        client.write("empty", Payload.of(new byte[0]));
        assertThat(readAll(client.open("empty"))).isEmpty();
        assertThat(client.list("")).extracting(ObjectInfo::key, ObjectInfo::size)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("empty", 0L));
    }

    @Test
    void listReportsSizesAndStorageTimestamps() throws IOException {
        Instant before = Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(CLOCK_SLACK);
        client.write("x/one", Payload.of(bytes(2, 1)));
        client.write("x/two", Payload.of(bytes(3, 2345)));
        Instant after = Instant.now().plus(CLOCK_SLACK);

        Map<String, ObjectInfo> listed = byKey(client.list(""));
        assertThat(listed).containsOnlyKeys("x/one", "x/two");
        assertThat(listed.get("x/one").size()).isEqualTo(1);
        assertThat(listed.get("x/two").size()).isEqualTo(2345);
        for (ObjectInfo info : listed.values()) {
            assertThat(info.lastModified()).as("lastModified of %s", info.key()).isBetween(before, after);
        }
    }

    @Test
    void listFiltersByPlainStringPrefix() throws IOException {
        for (String key : List.of("a/b/c", "a/bc", "a/x", "ab", "b/a/b")) {
            client.write(key, Payload.of(key.getBytes(StandardCharsets.UTF_8)));
        }
        assertThat(keys(client.list("a/"))).containsExactlyInAnyOrder("a/b/c", "a/bc", "a/x");
        assertThat(keys(client.list("a/b"))).containsExactlyInAnyOrder("a/b/c", "a/bc");
        assertThat(keys(client.list("a/b/"))).containsExactly("a/b/c");
        assertThat(keys(client.list("a"))).containsExactlyInAnyOrder("a/b/c", "a/bc", "a/x", "ab");
        assertThat(keys(client.list("ab"))).containsExactly("ab");
        assertThat(keys(client.list("c"))).isEmpty();
        assertThat(keys(client.list("a/b/c/d/"))).isEmpty();
        assertThat(keys(client.list(""))).hasSize(5);
    }

    @Test
    void listIsRecursive() throws IOException {
        client.write("d1/d2/d3/d4/deep", Payload.of(bytes(4, 10)));
        client.write("d1/shallow", Payload.of(bytes(5, 10)));
        assertThat(keys(client.list("d1/"))).containsExactlyInAnyOrder("d1/d2/d3/d4/deep", "d1/shallow");
    }

    @Test
    void replicaLayoutKeysAreListedExactly() throws IOException {
        Generation gen = new Generation("0123456789abcdef");
        Generation other = new Generation("fedcba9876543210");
        List<String> written = List.of(
                ReplicaLayout.snapshotKey(gen, 0),
                ReplicaLayout.snapshotKey(gen, 0x1f),
                ReplicaLayout.walSegmentKey(gen, 0, 0),
                ReplicaLayout.walSegmentKey(gen, 0, 0x1020),
                ReplicaLayout.walSegmentKey(gen, 0x1f, 0),
                ReplicaLayout.walSegmentKey(other, 2, 0));
        for (int i = 0; i < written.size(); i++) {
            client.write(written.get(i), Payload.of(bytes(10 + i, 100 + i)));
        }

        List<ObjectInfo> all = client.list(ReplicaLayout.GENERATIONS + "/");
        assertThat(keys(all)).containsExactlyInAnyOrderElementsOf(written);
        assertThat(keys(client.list(ReplicaLayout.snapshotsPrefix(gen))))
                .containsExactlyInAnyOrder(written.get(0), written.get(1));
        assertThat(keys(client.list(ReplicaLayout.walPrefix(gen))))
                .containsExactlyInAnyOrder(written.get(2), written.get(3), written.get(4));
        assertThat(keys(client.list(ReplicaLayout.generationPrefix(other)))).containsExactly(written.get(5));

        // The names survive the round trip well enough for the layout parser to read them back.
        assertThat(all.stream().flatMap(o -> ReplicaLayout.parseSnapshot(o).stream()).map(s -> s.index()))
                .containsExactlyInAnyOrder(0L, 0x1fL);
        assertThat(all.stream().flatMap(o -> ReplicaLayout.parseWalSegment(o).stream()).map(s -> s.offset()))
                .containsExactlyInAnyOrder(0L, 0x1020L, 0L, 0L);
    }

    @Test
    void rangedReadReturnsTheRequestedSlice() throws IOException {
        byte[] data = bytes(6, 1000);
        client.write("r", Payload.of(data));
        assertThat(readAll(client.openRange("r", 0, 10))).isEqualTo(Arrays.copyOfRange(data, 0, 10));
        assertThat(readAll(client.openRange("r", 100, 50))).isEqualTo(Arrays.copyOfRange(data, 100, 150));
        assertThat(readAll(client.openRange("r", 0, 1000))).isEqualTo(data);
        assertThat(readAll(client.openRange("r", 999, 1))).isEqualTo(new byte[] {data[999]});
    }

    @Test
    void rangedReadPastTheEndReturnsWhatThereIs() throws IOException {
        byte[] data = bytes(7, 1000);
        client.write("r", Payload.of(data));
        assertThat(readAll(client.openRange("r", 990, 50))).isEqualTo(Arrays.copyOfRange(data, 990, 1000));
        assertThat(readAll(client.openRange("r", 1000, 10))).isEmpty();
        assertThat(readAll(client.openRange("r", 5000, 10))).isEmpty();
        assertThat(readAll(client.openRange("r", 10, 0))).isEmpty();
    }

    @Test
    void overwriteReplacesTheWholeObject() throws IOException {
        client.write("o", Payload.of(bytes(8, 5000)));
        byte[] shorter = bytes(9, 10);
        client.write("o", Payload.of(shorter));
        assertThat(readAll(client.open("o"))).isEqualTo(shorter);
        assertThat(client.list("o")).singleElement().extracting(ObjectInfo::size).isEqualTo(10L);
    }

    @Test
    void missingObjectIsNoSuchObject() throws IOException {
        client.write("present", Payload.of(bytes(1, 3)));
        assertThatThrownBy(() -> readAll(client.open("absent"))).isInstanceOf(NoSuchObjectException.class);
        assertThatThrownBy(() -> readAll(client.openRange("absent", 0, 10))).isInstanceOf(NoSuchObjectException.class);
        assertThatThrownBy(() -> readAll(client.open("generations/0123456789abcdef/wal/00000000_00000000.wal.lz4")))
                .isInstanceOf(NoSuchObjectException.class);
    }

    @Test
    void failedUploadLeavesNoObject() throws IOException {
        byte[] old = bytes(11, 100);
        client.write("atomic", Payload.of(old));
        Payload breaking = new Payload() {
            @Override
            public long length() {
                return 100_000;
            }

            @Override
            public InputStream open() {
                return new GeneratedStream(12, 100_000, 40_000);
            }
        };
        assertThatThrownBy(() -> client.write("atomic", breaking)).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> client.write("never", breaking)).isInstanceOf(IOException.class);

        assertThat(readAll(client.open("atomic"))).isEqualTo(old);
        assertThatThrownBy(() -> readAll(client.open("never"))).isInstanceOf(NoSuchObjectException.class);
        // Only the two keys matter: some test servers (s3proxy) list leftovers of broken uploads under other names.
        assertThat(client.list("")).filteredOn(o -> o.key().equals("atomic") || o.key().equals("never"))
                .extracting(ObjectInfo::key, ObjectInfo::size)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("atomic", 100L));
    }

    @Test
    void deleteRemovesObjectsAndIgnoresMissingKeys() throws IOException {
        client.write("del/a", Payload.of(bytes(1, 5)));
        client.write("del/b", Payload.of(bytes(2, 5)));
        client.write("keep", Payload.of(bytes(3, 5)));

        client.delete(List.of("del/a", "del/missing", "no/such/dir/x"));
        assertThat(keys(client.list(""))).containsExactlyInAnyOrder("del/b", "keep");
        client.delete(List.of("del/a"));
        client.delete(List.of());
        client.delete(List.of("del/b"));
        assertThat(keys(client.list(""))).containsExactly("keep");
        assertThatThrownBy(() -> readAll(client.open("del/b"))).isInstanceOf(NoSuchObjectException.class);
    }

    @Test
    void deleteManyObjectsInOneCall() throws Exception {
        int count = manyObjects();
        List<String> keysWritten = new ArrayList<>();
        for (int i = 0; i < count; i++) keysWritten.add(String.format("many/%05d", i));
        runConcurrently(4, worker -> {
            for (int i = worker; i < count; i += 4) client.write(keysWritten.get(i), Payload.of(bytes(i, 8)));
        });
        client.write("other", Payload.of(bytes(0, 1)));
        assertThat(client.list("many/")).hasSize(count);

        client.delete(keysWritten);
        assertThat(keys(client.list(""))).containsExactly("other");
    }

    @Test
    void largeObjectIsStreamedBothWays() throws Exception {
        long size = largeObjectSize();
        Payload large = new Payload() {
            @Override
            public long length() {
                return size;
            }

            @Override
            public InputStream open() {
                return new GeneratedStream(42, size, -1);
            }
        };
        client.write("big/object", large);

        assertThat(client.list("big/")).singleElement().extracting(ObjectInfo::size).isEqualTo(size);
        try (InputStream in = client.open("big/object")) {
            assertThat(digest(in)).isEqualTo(digest(large.open()));
        }
        // A ranged read across the middle matches the same bytes of the generated stream.
        long offset = size / 2 - 12345;
        int length = 3 * 1024 * 1024 + 7;
        byte[] expected;
        try (InputStream in = large.open()) {
            in.skipNBytes(offset);
            expected = in.readNBytes(length);
        }
        assertThat(readAll(client.openRange("big/object", offset, length))).isEqualTo(expected);
    }

    @Test
    void concurrentWritesFromSeveralThreads() throws Exception {
        int threads = 6;
        int perThread = 8;
        runConcurrently(threads, worker -> {
            for (int i = 0; i < perThread; i++) {
                client.write("c/" + worker + "/" + i, Payload.of(bytes(worker * 100 + i, 2000 + i)));
                // Everybody also overwrites one shared key; the winner must be someone's whole payload.
                client.write("c/shared", Payload.of(bytes(worker, 3000)));
            }
        });
        assertThat(client.list("c/")).hasSize(threads * perThread + 1);
        for (int w = 0; w < threads; w++) {
            for (int i = 0; i < perThread; i++) {
                assertThat(readAll(client.open("c/" + w + "/" + i))).isEqualTo(bytes(w * 100 + i, 2000 + i));
            }
        }
        byte[] shared = readAll(client.open("c/shared"));
        Set<String> candidates = new java.util.HashSet<>();
        for (int w = 0; w < threads; w++) candidates.add(Arrays.toString(bytes(w, 3000)));
        assertThat(candidates).contains(Arrays.toString(shared));
    }

    @Test
    void describeNeverShowsCredentials() {
        String description = client.describe();
        assertThat(description).isNotBlank().startsWith(client.type() + "://");
        for (String secret : secrets()) {
            if (secret != null && !secret.isEmpty()) assertThat(description).doesNotContain(secret);
        }
    }

    @Test
    void verifySucceedsOnAGoodReplica() throws IOException {
        client.verify();
        client.write("after-verify", Payload.of(bytes(1, 1)));
        client.verify();
        assertThat(keys(client.list(""))).containsExactly("after-verify");
    }

    // ---- helpers shared with backend-specific tests ----

    /** Deterministic pseudo-random bytes: the same seed and length always give the same bytes. */
    public static byte[] bytes(long seed, int length) {
        byte[] out = new byte[length];
        new java.util.Random(seed).nextBytes(out);
        return out;
    }

    public static byte[] readAll(InputStream in) throws IOException {
        try (in) {
            return in.readAllBytes();
        }
    }

    public static List<String> keys(List<ObjectInfo> objects) {
        return objects.stream().map(ObjectInfo::key).collect(Collectors.toList());
    }

    private static Map<String, ObjectInfo> byKey(List<ObjectInfo> objects) {
        Map<String, ObjectInfo> map = new HashMap<>();
        for (ObjectInfo o : objects) map.put(o.key(), o);
        return map;
    }

    /** SHA-256 of a stream, read in small chunks so nothing large is held. */
    public static String digest(InputStream in) throws IOException {
        try (in) {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[64 * 1024];
            int n;
            while ((n = in.read(buffer)) >= 0) sha.update(buffer, 0, n);
            return java.util.HexFormat.of().formatHex(sha.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * False for a test server known to check a condition and write in two steps, so concurrent
     * conditional writes may all succeed or all fail (the race test is then skipped; the subclass says why).
     */
    protected boolean atomicConditionalWrites() {
        return true;
    }

    /** The backend's compare-and-swap; the calling test is skipped for a backend that has none (SFTP). */
    private dev.keel.replication.spi.ConditionalObjects conditional() {
        var c = client.conditionalObjects();
        org.junit.jupiter.api.Assumptions.assumeTrue(c.isPresent(), client.type() + " storage has no compare-and-swap");
        return c.get();
    }

    @Test
    void conditionalCreateSucceedsOnceAndReplaceNeedsTheVersionRead() throws IOException {
        var cas = conditional();
        assertThat(cas.read("keel-lease")).isNull();
        String v1 = cas.create("keel-lease", bytes("one"));
        if (v1 == null && !atomicConditionalWrites() && cas.read("keel-lease") == null) {
            // a server whose conditional writes are not atomic (s3proxy) may answer a conflict that never
            // happened when it is slow; nothing was written, so the create is tried once more
            v1 = cas.create("keel-lease", bytes("one"));
        }
        assertThat(v1).isNotNull();
        assertThat(cas.create("keel-lease", bytes("two"))).isNull();
        var read = cas.read("keel-lease");
        assertThat(new String(read.bytes(), StandardCharsets.UTF_8)).isEqualTo("one");
        assertThat(read.version()).isEqualTo(v1);
        String v2 = cas.replace("keel-lease", bytes("three"), v1);
        assertThat(v2).isNotNull().isNotEqualTo(v1);
        assertThat(cas.replace("keel-lease", bytes("four"), v1)).isNull(); // v1 is stale now
        assertThat(new String(cas.read("keel-lease").bytes(), StandardCharsets.UTF_8)).isEqualTo("three");
        assertThat(cas.replace("missing", bytes("x"), v2)).isNull();
    }

    @Test
    void exactlyOneOfManyConcurrentCreatesAndReplacesWins() throws Exception {
        var cas = conditional();
        org.junit.jupiter.api.Assumptions.assumeTrue(atomicConditionalWrites(), "this test server's conditional writes are not atomic");
        for (int round = 0; round < 5; round++) {
            String key = "race-" + round;
            java.util.concurrent.atomic.AtomicInteger created = new java.util.concurrent.atomic.AtomicInteger();
            runConcurrently(6, w -> {
                if (cas.create(key, bytes("w" + w)) != null) created.incrementAndGet();
            });
            assertThat(created.get()).as("winners of create round " + round).isEqualTo(1);
            String seen = cas.read(key).version();
            java.util.concurrent.atomic.AtomicInteger replaced = new java.util.concurrent.atomic.AtomicInteger();
            runConcurrently(6, w -> {
                if (cas.replace(key, bytes("r" + w), seen) != null) replaced.incrementAndGet();
            });
            assertThat(replaced.get()).as("winners of replace round " + round).isEqualTo(1);
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Work one thread does in {@link #runConcurrently}. */
    protected interface Worker {
        void run(int worker) throws Exception;
    }

    protected static void runConcurrently(int threads, Worker work) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int worker = t;
                futures.add(pool.submit(() -> {
                    work.run(worker);
                    return null;
                }));
            }
            for (Future<?> f : futures) f.get(60, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
    }
}

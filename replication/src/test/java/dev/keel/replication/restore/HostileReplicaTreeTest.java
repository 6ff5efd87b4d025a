package dev.keel.replication.restore;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.core.KeelException;
import dev.keel.replication.api.Position;
import dev.keel.replication.api.ReplicaLayout;
import dev.keel.replication.api.SnapshotInfo;
import dev.keel.replication.api.WalSegmentInfo;
import dev.keel.replication.file.FileReplicaClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded hostile edits to a real replica tree written by Keel's Replicator (two generations, several
 * WAL indexes and snapshots, known rows at every acknowledged state): files deleted, renamed to odd
 * names, duplicated or copied across indexes and generations, touched, truncated, swapped with another
 * generation's or database's, replaced by links out of the tree; stray files at the output path. For
 * each, a restore of the latest state either fails with a {@link KeelException} naming a replica path
 * or the output path, or succeeds with exactly the rows of an acknowledged state at least as new as
 * the newest one the edited tree still holds intact, passing integrity_check, and writing nothing but
 * the output file. Rerun a
 * failure with {@code -Dkeel.seed=N}.
 */
class HostileReplicaTreeTest {
    private static final int ROUNDS = Integer.getInteger("keel.rounds", 40);

    @TempDir
    static Path shared;
    @TempDir
    Path dir;

    private static KeelHistory history;
    private static Path otherReplica;

    @BeforeAll
    static void buildReplicas() throws Exception {
        Random random = new Random(42);
        history = new KeelHistory(shared.resolve("src"));
        for (int i = 0; i < 4; i++) history.commit(15 + random.nextInt(20), random);
        history.snapshot();
        history.commit(10, random);
        Thread.sleep(20);
        history.newGeneration();
        for (int i = 0; i < 3; i++) history.commit(10 + random.nextInt(20), random);
        history.snapshot();
        for (int i = 0; i < 2; i++) history.commit(10 + random.nextInt(20), random);
        history.close();
        try (KeelHistory other = new KeelHistory(shared.resolve("other"))) {
            for (int i = 0; i < 3; i++) other.commit(25, random);
            otherReplica = other.replica;
        }
    }

    @Test
    void everyRestoreOfAHostileTreeFailsNamingAPathOrIsExactlyTheNewestIntactState() throws Exception {
        long seed = Long.getLong("keel.seed", System.nanoTime());
        for (int round = 0; round < ROUNDS; round++) {
            Random random = new Random(seed + round);
            List<String> edits = new ArrayList<>();
            try {
                runRound(random, dir.resolve("round-" + round), edits);
            } catch (AssertionError | Exception e) {
                throw new AssertionError("round " + round + " failed (rerun with -Dkeel.seed=" + seed + "), edits " + edits
                        + ": " + e.getMessage(), e);
            }
        }
    }

    private void runRound(Random random, Path root, List<String> edits) throws Exception {
        Path replica = root.resolve("replica");
        Path outside = Files.createDirectories(root.resolve("outside"));
        Path outDir = Files.createDirectories(root.resolve("out"));
        copyTree(history.replica, replica);
        Map<String, byte[]> original = contents(history.replica);
        int n = 1 + random.nextInt(3);
        boolean removeStale = random.nextBoolean();
        for (int i = 0; i < n; i++) edits.add(new Edit(random, replica, outside, outDir).apply());
        Map<String, String> before = listing(root, outDir);

        Path out = outDir.resolve("app.db");
        FileReplicaClient client = new FileReplicaClient(replica);
        RestoreOptions options = RestoreOptions.to(out).withRemoveStaleFiles(removeStale)
                .withParallelism(1 + random.nextInt(4));
        KeelException failure = null;
        RestoreResult result = null;
        try {
            result = Restorer.restore(client, options);
        } catch (KeelException e) {
            failure = e;
        }
        assertThat(listing(root, outDir)).as("nothing outside the output directory changed").isEqualTo(before);
        if (failure != null) {
            edits.add("-> " + failure);
            assertThat(failure.code()).isNotNull();
            assertThat(failure.subject()).as("names a replica path or the output path")
                    .satisfiesAnyOf(s -> assertThat(s).startsWith(client.describe()), s -> assertThat(s).startsWith(outDir.toString()));
            assertThat(failure.hint()).isNotBlank();
            assertThat(out).doesNotExist();
            return;
        }
        edits.add("-> restored from snapshot " + ReplicaLayout.hex(result.snapshotIndex()) + " to " + result.position());
        assertThat(IntegrityCheck.problems(out)).isEmpty();
        // Exactly an acknowledged state, and none older than what the tree certainly still holds (a
        // snapshot can hold more than the segments left beside it, so newer is fine).
        int expected = newestIntact(replica, original);
        int restored = stateOf(TestReplica.rows(out));
        if (restored < 0 || restored < expected) {
            throw new AssertionError("restored the rows of acknowledged state " + restored + " at "
                    + (restored < 0 ? "-" : history.states().get(restored).position()) + ", but the newest intact one is "
                    + expected + (expected < 0 ? "" : " at " + history.states().get(expected).position()));
        }
        try (Stream<Path> files = Files.list(outDir)) {
            assertThat(files.map(p -> p.getFileName().toString())).as("stray files were refused or removed").containsExactly("app.db");
        }
    }

    /**
     * The newest acknowledged state (its number) whose data the edited tree still holds unchanged: a
     * snapshot of its generation at or before it, and every WAL segment from there to it, at their own
     * names with their own bytes. (A tree whose tail was cut holds an older state and nothing says so.)
     */
    private static int newestIntact(Path replica, Map<String, byte[]> original) throws IOException {
        List<KeelHistory.State> states = history.states();
        ReplicaCatalog catalog = ReplicaCatalog.load(new FileReplicaClient(history.replica));
        for (int i = states.size() - 1; i >= 0; i--) {
            Position p = states.get(i).position();
            for (SnapshotInfo s : catalog.snapshots(p.generation())) {
                if (s.index() > p.index() || !intact(replica, original, s.key())) continue;
                boolean all = true;
                for (WalSegmentInfo w : catalog.walSegments(p.generation())) {
                    if (w.index() < s.index() || w.position().compareTo(p) >= 0) continue;
                    all &= intact(replica, original, w.key());
                }
                if (all) return i;
            }
        }
        return -1;
    }

    /** The newest acknowledged state with these rows, or -1. */
    private static int stateOf(List<String> rows) {
        List<KeelHistory.State> states = history.states();
        for (int i = states.size() - 1; i >= 0; i--) {
            if (states.get(i).rows().equals(rows)) return i;
        }
        return -1;
    }

    private static boolean intact(Path replica, Map<String, byte[]> original, String key) throws IOException {
        Path f = replica.resolve(key);
        return Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS) && Arrays.equals(Files.readAllBytes(f), original.get(key));
    }

    /** One random hostile edit; returns what it did. */
    private record Edit(Random random, Path replica, Path outside, Path outDir) {
        String apply() throws IOException {
            // The edits go to the generations' tree, which restore reads (not to the writer's lease beside it).
            Path generations = replica.resolve(ReplicaLayout.GENERATIONS);
            List<Path> files = files(replica).stream().filter(p -> p.startsWith(generations)).toList();
            if (files.isEmpty()) return "no-op (no files left)";
            Path f = files.get(random.nextInt(files.size()));
            String key = replica.relativize(f).toString();
            switch (random.nextInt(12)) {
                case 0 -> {
                    Files.delete(f);
                    return "delete " + key;
                }
                case 1 -> {
                    String[] odd = {key.toUpperCase(), key + ".bak", key.replace(".lz4", "") + "é.lz4",
                            key.substring(0, key.lastIndexOf('/') + 1) + "x".repeat(240) + ".wal.lz4"};
                    Path to = replica.resolve(odd[random.nextInt(odd.length)]);
                    if (Files.exists(to, LinkOption.NOFOLLOW_LINKS)) return "no-op";
                    Files.createDirectories(to.getParent());
                    Files.move(f, to);
                    return "rename " + key + " -> " + replica.relativize(to);
                }
                case 2, 3 -> {
                    Path to = files.get(random.nextInt(files.size()));
                    if (to.equals(f) || to.getFileName().toString().endsWith(".snapshot.lz4")
                            != f.getFileName().toString().endsWith(".snapshot.lz4")) {
                        to = f.resolveSibling(shifted(f.getFileName().toString()));
                    }
                    Files.copy(f, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
                    return "copy " + key + " over " + replica.relativize(to);
                }
                case 4 -> {
                    Files.setLastModifiedTime(f, FileTime.fromMillis(Files.getLastModifiedTime(f).toMillis()
                            + (random.nextInt(7200) - 3600) * 1000L));
                    return "touch " + key;
                }
                case 5 -> {
                    long size = Files.size(f);
                    try (var ch = java.nio.channels.FileChannel.open(f, java.nio.file.StandardOpenOption.WRITE)) {
                        ch.truncate(size == 0 ? 0 : random.nextLong(size));
                    }
                    return "truncate " + key;
                }
                case 6 -> {
                    Path dirToLink = random.nextBoolean() ? f.getParent() : f.getParent().getParent();
                    Path moved = outside.resolve("moved-" + random.nextInt(1_000_000));
                    Files.move(dirToLink, moved);
                    Files.createSymbolicLink(dirToLink, moved);
                    return "link dir " + replica.relativize(dirToLink) + " out of the tree";
                }
                case 7 -> {
                    Path moved = outside.resolve("file-" + random.nextInt(1_000_000));
                    Files.move(f, moved);
                    Files.createSymbolicLink(f, moved);
                    return "link file " + key + " out of the tree";
                }
                case 8 -> {
                    List<Path> snaps = files.stream().filter(p -> p.toString().endsWith(".snapshot.lz4")).toList();
                    if (snaps.isEmpty()) return "no-op (no snapshots left)";
                    Path a = snaps.get(random.nextInt(snaps.size()));
                    Path b = snaps.get(random.nextInt(snaps.size()));
                    byte[] ab = Files.readAllBytes(a);
                    FileTime ta = Files.getLastModifiedTime(a);
                    FileTime tb = Files.getLastModifiedTime(b);
                    Files.write(a, Files.readAllBytes(b));
                    Files.write(b, ab);
                    Files.setLastModifiedTime(a, ta);
                    Files.setLastModifiedTime(b, tb);
                    return "swap snapshots " + replica.relativize(a) + " and " + replica.relativize(b);
                }
                case 9 -> {
                    List<Path> theirs = files(otherReplica);
                    Path from = theirs.get(random.nextInt(theirs.size()));
                    Path to = f.getFileName().toString().endsWith(".snapshot.lz4") == from.getFileName().toString().endsWith(".snapshot.lz4")
                            ? f : f.resolveSibling(from.getFileName());
                    FileTime t = Files.exists(to) ? Files.getLastModifiedTime(to) : Files.getLastModifiedTime(from);
                    Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
                    Files.setLastModifiedTime(to, t);
                    return "other database's " + otherReplica.relativize(from) + " as " + replica.relativize(to);
                }
                case 10 -> {
                    String suffix = StaleFiles.SUFFIXES.get(random.nextInt(StaleFiles.SUFFIXES.size()));
                    Files.write(outDir.resolve("app.db" + suffix), new byte[] {1, 2, 3});
                    return "stray app.db" + suffix;
                }
                default -> {
                    Path gen = replica.resolve(ReplicaLayout.GENERATIONS).resolve(key.split("/")[1]);
                    String[] odd = {gen.getFileName().toString().toUpperCase(), "..", "..." , "ĝenerācija", "0".repeat(17)};
                    String name = odd[random.nextInt(odd.length)];
                    Path to = name.equals("..") ? gen.resolveSibling("..").resolve("gen-up") : gen.resolveSibling(name);
                    if (Files.exists(to, LinkOption.NOFOLLOW_LINKS)) return "no-op";
                    Files.move(gen, to);
                    return "rename generation " + gen.getFileName() + " -> " + replica.relativize(to);
                }
            }
        }

        /** A segment or snapshot name with its index (or offset) moved by one: a duplicate under another key. */
        private String shifted(String name) {
            String[] parts = name.split("[_.]");
            long index = Long.parseLong(parts[0], 16);
            long moved = random.nextBoolean() ? index + 1 : Math.max(0, index - 1);
            return ReplicaLayout.hex(moved) + name.substring(8);
        }
    }

    private static List<Path> files(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).sorted().toList();
        }
    }

    private static Map<String, byte[]> contents(Path root) throws IOException {
        Map<String, byte[]> out = new HashMap<>();
        for (Path f : files(root)) out.put(root.relativize(f).toString(), Files.readAllBytes(f));
        return out;
    }

    /** Every path under {@code root} (links not followed) with its size and time, except inside {@code except}. */
    private static Map<String, String> listing(Path root, Path except) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.filter(p -> !p.startsWith(except)).toList()) {
                var attrs = Files.readAttributes(p, java.nio.file.attribute.BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                out.put(root.relativize(p).toString(), attrs.isDirectory() ? "dir" : attrs.size() + "@" + attrs.lastModifiedTime());
            }
        }
        return out;
    }

    private static void copyTree(Path from, Path to) throws IOException {
        for (Path f : files(from)) {
            Path target = to.resolve(from.relativize(f).toString());
            Files.createDirectories(target.getParent());
            Files.copy(f, target, StandardCopyOption.COPY_ATTRIBUTES);
        }
    }
}

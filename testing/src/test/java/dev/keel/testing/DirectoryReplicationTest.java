package dev.keel.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import dev.keel.core.fleet.DatabaseDirectory;
import dev.keel.replication.Replicator;
import dev.keel.replication.api.DatabaseConfig;
import dev.keel.replication.api.DirectoryConfig;
import dev.keel.replication.api.ReplicaConfig;
import dev.keel.replication.file.FileReplicaClient;
import dev.keel.replication.restore.RestoreOptions;
import dev.keel.replication.restore.Restorer;
import dev.keel.replication.spi.ReplicaStorage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A {@code dir:} entry: every SQLite file below a directory replicated to prefix/relative path, as files come and go. */
class DirectoryReplicationTest {
    private static final Duration INTERVAL = Duration.ofMillis(100);

    @TempDir
    Path dir;

    private Path tenants() throws IOException {
        return Files.createDirectories(dir.resolve("tenants"));
    }

    private Path prefix() {
        return dir.resolve("replicas");
    }

    private DirectoryConfig entry(Path root, boolean recursive, boolean watch) {
        ReplicaConfig replica = new ReplicaConfig("backup", new ReplicaStorage.File(prefix()), INTERVAL, null, null, null, null);
        DatabaseConfig template = new DatabaseConfig(root, null, INTERVAL, null, 0, 0, List.of(replica));
        return new DirectoryConfig(new DatabaseDirectory(root, "*.db", recursive), template, watch);
    }

    private static Replicator manual() {
        return Replicator.configure().backgroundLoops(false).start();
    }

    private static Replicator daemon() {
        return Replicator.configure().start();
    }

    /** Creates a WAL-mode database with {@code rows} rows, and closes it. */
    static void createDatabase(Path db, int rows) throws SQLException, IOException {
        Files.createDirectories(db.getParent());
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            s.execute("PRAGMA journal_mode = wal");
            s.execute("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, v TEXT)");
            for (int i = 0; i < rows; i++) s.execute("INSERT INTO t (v) VALUES ('" + db.getFileName() + " row " + i + "')");
        }
    }

    private Path restore(String relative) throws IOException {
        Path out = dir.resolve("restored").resolve(relative.replace('/', '_'));
        Files.createDirectories(out.getParent());
        try (FileReplicaClient client = new FileReplicaClient(prefix().resolve(relative))) {
            Restorer.configure().from(client).output(out).restore();
        }
        return out;
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting until " + what);
            Thread.sleep(20);
        }
    }

    private boolean replicated(String relative) {
        return Files.isDirectory(prefix().resolve(relative).resolve("generations"));
    }

    /** Targets of this JVM's open descriptors (Linux): what the process still holds. */
    private static List<String> openFiles() throws IOException {
        List<String> out = new ArrayList<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    out.add(Files.readSymbolicLink(fd).toString());
                } catch (IOException closedMeanwhile) {
                    // the listing's own descriptor, or one closed while listing
                }
            }
        }
        return out;
    }

    private static long count(String text, String needle) {
        return Arrays.stream(text.split("\n")).filter(l -> l.contains(needle)).count();
    }

    @Test
    void everyMatchingDatabaseIsReplicatedBelowThePrefixAtItsRelativePathAndOtherFilesAreSkippedQuietly() throws Exception {
        Path root = tenants();
        createDatabase(root.resolve("a.db"), 3);
        createDatabase(root.resolve("eu/acme.db"), 5);
        Files.writeString(root.resolve("notes.db"), "not a database, though the name matches ".repeat(30));
        Files.write(root.resolve("empty.db"), new byte[0]);
        Path half = root.resolve("half.db");
        byte[] whole = wholeDatabase(8);
        Files.write(half, Arrays.copyOf(whole, whole.length / 2)); // a copy in progress: header written, pages missing
        Files.writeString(root.resolve("x.db-wal"), "side file");
        Files.writeString(root.resolve("x.db-journal"), "side file");
        try (LogCapture log = LogCapture.start(); Replicator r = manual()) {
            r.follow(entry(root, true, true));
            r.sync();
            assertThat(replicated("a.db")).isTrue();
            assertThat(replicated("eu/acme.db")).isTrue();
            for (String skipped : List.of("notes.db", "empty.db", "half.db", "x.db-wal", "x.db-journal")) {
                assertThat(Files.exists(prefix().resolve(skipped))).as(skipped).isFalse();
            }
            assertThat(log.text()).doesNotContain("WARN").doesNotContain("half.db").doesNotContain("notes.db");

            Files.write(half, whole); // the copy finished: now it is a database of the fleet
            r.sync();
            assertThat(replicated("half.db")).isTrue();
        }
        assertThat(ReplicatedFleet.rows(restore("eu/acme.db"))).hasSize(5);
        assertThat(ReplicatedFleet.rows(restore("a.db"))).hasSize(3);
        assertThat(ReplicatedFleet.rows(restore("half.db"))).hasSize(8);
    }

    /** The bytes of a complete database with {@code rows} rows (not in WAL mode, so one file holds it all). */
    private byte[] wholeDatabase(int rows) throws Exception {
        Path scratch = Files.createDirectories(dir.resolve("scratch")).resolve("whole.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + scratch); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
            for (int i = 0; i < rows; i++) s.execute("INSERT INTO t (v) VALUES ('" + "x".repeat(900) + "')");
        }
        return Files.readAllBytes(scratch);
    }

    @Test
    void withoutRecursiveOnlyTheTopDirectoryCounts() throws Exception {
        Path root = tenants();
        createDatabase(root.resolve("a.db"), 1);
        createDatabase(root.resolve("eu/acme.db"), 1);
        try (Replicator r = manual()) {
            r.follow(entry(root, false, true));
            r.sync();
        }
        assertThat(replicated("a.db")).isTrue();
        assertThat(Files.exists(prefix().resolve("eu"))).isFalse();
    }

    @Test
    void aDatabaseThatAppearsWhileReplicatingIsPickedUpWithinAboutOneMonitorInterval() throws Exception {
        Path root = tenants();
        createDatabase(root.resolve("first.db"), 1);
        try (Replicator r = daemon()) {
            r.follow(entry(root, true, true));
            await("first.db is replicated", () -> replicated("first.db"));
            long created = System.nanoTime();
            createDatabase(root.resolve("new/late.db"), 4);
            await("late.db is replicated", () -> replicated("new/late.db"));
            System.out.printf("new database replicated %d ms after it was created%n", (System.nanoTime() - created) / 1_000_000);
        }
        assertThat(ReplicatedFleet.rows(restore("new/late.db"))).hasSize(4);
    }

    /**
     * A rescan of an unchanged directory reuses its last listing; a file already listed that becomes a
     * database in place (its bytes written, no entry added to the directory) is still picked up.
     */
    @Test
    void aFileThatBecomesADatabaseInPlaceIsPickedUpThoughTheDirectoryIsUnchanged() throws Exception {
        Path root = tenants();
        createDatabase(root.resolve("first.db"), 1);
        Path template = dir.resolve("template/late.db");
        createDatabase(template, 3);
        Files.write(root.resolve("late.db"), new byte[0]); // not a database yet
        try (Replicator r = daemon()) {
            r.follow(entry(root, false, true));
            await("first.db is replicated", () -> replicated("first.db"));
            Thread.sleep(1500); // a few rescans of the unchanged directory
            Files.write(root.resolve("late.db"), Files.readAllBytes(template), java.nio.file.StandardOpenOption.TRUNCATE_EXISTING);
            await("late.db is replicated", () -> replicated("late.db"));
        }
        assertThat(ReplicatedFleet.rows(restore("late.db"))).hasSize(3);
    }

    @Test
    void withWatchOffTheDirectoryIsReadOnceAtStart() throws Exception {
        Path root = tenants();
        createDatabase(root.resolve("first.db"), 1);
        try (Replicator r = daemon()) {
            r.follow(entry(root, false, false));
            await("first.db is replicated", () -> replicated("first.db"));
            createDatabase(root.resolve("late.db"), 1);
            Thread.sleep(INTERVAL.toMillis() * 5);
            assertThat(replicated("late.db")).isFalse();
        }
    }

    @Test
    void aDeletedDatabaseIsLetGoOnceItsDescriptorsClosedAndItsReplicaKept() throws Exception {
        Path root = tenants();
        Path gone = root.resolve("gone.db");
        createDatabase(gone, 2);
        createDatabase(root.resolve("stays.db"), 2);
        try (LogCapture log = LogCapture.start(); Replicator r = daemon()) {
            r.follow(entry(root, false, true));
            await("both are replicated", () -> replicated("gone.db") && replicated("stays.db"));
            await("Keel holds gone.db open", () -> holds(gone));
            for (String suffix : List.of("", "-wal", "-shm")) Files.deleteIfExists(root.resolve("gone.db" + suffix));
            await("no descriptor on gone.db is left", () -> !holds(gone));
            Thread.sleep(INTERVAL.toMillis() * 5); // more rounds and scans: still one line, no warning
            assertThat(count(log.text(), "no longer following")).isEqualTo(1);
            assertThat(log.text()).contains(gone + ": no longer following it").doesNotContain("WARN");
            assertThat(replicated("gone.db")).isTrue();
            assertThat(holds(root.resolve("stays.db"))).isTrue();
        }
    }

    private static boolean holds(Path db) {
        try {
            return openFiles().stream().anyMatch(f -> f.startsWith(db.toString()));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aDatabaseRenamedAwayIsLetGoAndFollowedAgainWhenItComesBack() throws Exception {
        Path root = tenants();
        Path db = root.resolve("moving.db");
        createDatabase(db, 2);
        try (LogCapture log = LogCapture.start(); Replicator r = manual()) {
            r.follow(entry(root, false, true));
            r.sync();
            Files.move(db, root.resolve("moving.bak"));
            r.sync();
            assertThat(count(log.text(), "no longer following")).isEqualTo(1);
            assertThat(holds(db)).isFalse();
            Files.move(root.resolve("moving.bak"), db);
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
                s.execute("INSERT INTO t (v) VALUES ('after the move')");
            }
            r.sync();
            assertThat(holds(db)).isTrue();
            r.sync();
        }
        assertThat(ReplicatedFleet.rows(restore("moving.db"))).hasSize(3);
    }

    @Test
    void anEntryOverlappingAFollowedDatabaseOrEntryIsRefused() throws Exception {
        Path root = tenants();
        createDatabase(root.resolve("a.db"), 1);
        DatabaseConfig single = DatabaseConfig.of(root.resolve("a.db"),
                List.of(ReplicaConfig.of(new ReplicaStorage.File(dir.resolve("single")))));
        try (Replicator r = Replicator.configure().databases(List.of(single)).backgroundLoops(false).start()) {
            assertThatThrownBy(() -> r.follow(entry(root, false, true)))
                    .isInstanceOfSatisfying(KeelException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT))
                    .hasMessageContaining("both follow");
        }
        try (Replicator r = manual()) {
            r.follow(entry(dir, true, true));
            assertThatThrownBy(() -> r.follow(entry(root, false, true))).hasMessageContaining("both follow");
        }
    }

    @Test
    void litestreamRestoresOneDatabaseOfADirEntry() throws Exception {
        Path litestream = Litestream.binary();
        Path root = tenants();
        createDatabase(root.resolve("eu/acme.db"), 7);
        try (Replicator r = manual()) {
            r.follow(entry(root, true, true));
            r.sync();
        }
        Path out = dir.resolve("by-litestream.db");
        Litestream.run(Map.of(), "restore", "-o", out.toString(), prefix().resolve("eu/acme.db").toUri().toString());
        assertThat(litestream).isNotNull();
        assertThat(ReplicatedFleet.rows(out)).isEqualTo(ReplicatedFleet.rows(root.resolve("eu/acme.db")));
    }
}

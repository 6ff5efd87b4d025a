package dev.keel.replication.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.keel.replication.api.Generation;
import dev.keel.replication.api.SnapshotInfo;
import dev.keel.replication.api.WalSegmentInfo;
import dev.keel.replication.file.FileReplicaClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Litestream 0.3.13 writes a replica while a writer runs (several WAL indexes from its own
 * checkpoints, several snapshots); Keel restores it equal to the source, and byte for byte equal to
 * what Litestream's own restore produces, for the latest state and for a moment in the middle; a
 * replay from the first snapshot across every WAL restart passes Keel's index continuity check.
 */
class LitestreamInteropIT {
    @TempDir
    Path dir;

    static Path litestream() {
        Path bin = Path.of(System.getProperty("keel.tools.dir", ".tools"),
                "node_modules/@flydotio/litestream-linux-x64/litestream");
        assumeTrue(Files.isExecutable(bin), "Litestream is not installed; run scripts/install-test-tools");
        return bin;
    }

    @Test
    void keelRestoresWhatLitestreamWrote() throws Exception {
        Path bin = litestream();
        Path db = dir.resolve("app.db");
        Path replica = dir.resolve("replica");
        Files.writeString(dir.resolve("litestream.yml"), """
                dbs:
                  - path: %s
                    monitor-interval: 50ms
                    checkpoint-interval: 200ms
                    min-checkpoint-page-count: 4
                    replicas:
                      - url: file://%s
                        sync-interval: 50ms
                        snapshot-interval: 600ms
                """.formatted(db, replica));
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            s.execute("PRAGMA journal_mode=WAL");
            s.execute("PRAGMA busy_timeout=5000");
            s.execute("CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)");
            Process p = new ProcessBuilder(bin.toString(), "replicate", "-config", dir.resolve("litestream.yml").toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("litestream.log").toFile()).start();
            try {
                for (int i = 0; i < 40; i++) {
                    s.execute("INSERT INTO t(v) SELECT hex(randomblob(" + (100 + i * 37) + ")) FROM t LIMIT 1");
                    s.execute("INSERT INTO t(v) VALUES (hex(randomblob(" + (i * 97 % 4000) + ")))");
                    if (i % 9 == 0) s.execute("UPDATE t SET v = 'u" + i + "' WHERE id % 4 = 0");
                    Thread.sleep(70);
                }
                Thread.sleep(1200);
            } finally {
                p.destroy();
                assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
            }
        }
        List<String> source = TestReplica.rows(db);
        FileReplicaClient client = new FileReplicaClient(replica);
        ReplicaCatalog catalog = ReplicaCatalog.load(client);
        Generation generation = catalog.latestGeneration().orElseThrow().generation();
        List<SnapshotInfo> snapshots = catalog.snapshots(generation);
        List<WalSegmentInfo> segments = catalog.walSegments(generation);
        assertThat(snapshots).hasSizeGreaterThan(1);
        assertThat(segments.get(segments.size() - 1).index()).isGreaterThan(2);

        // Keel requires each WAL index's salt-1 to be the previous index's plus one (a WAL restart);
        // replaying from the first snapshot crosses every restart Litestream made.
        SnapshotInfo first = snapshots.get(0);
        List<WalSegmentInfo> fromFirst = segments.stream().filter(w -> w.index() >= first.index()).toList();
        assertThat(fromFirst.stream().mapToLong(WalSegmentInfo::index).distinct().count()).isGreaterThan(3);
        Path keelFromFirst = dir.resolve("keel-from-first.db");
        Restorer.restore(client, new RestorePlan(client.describe(), generation, first, fromFirst, -1),
                RestoreOptions.to(keelFromFirst));
        assertThat(TestReplica.rows(keelFromFirst)).isEqualTo(source);

        Path keel = dir.resolve("keel.db");
        Restorer.restore(client, RestoreOptions.to(keel));
        assertThat(TestReplica.rows(keel)).isEqualTo(source);
        Path theirs = dir.resolve("litestream.db");
        run(bin, "restore", "-o", theirs.toString(), "file://" + replica);
        assertThat(Files.readAllBytes(keel)).isEqualTo(Files.readAllBytes(theirs));

        // A moment in the middle: the time of a segment between the first and the last snapshot.
        long lastSnapshotIndex = snapshots.get(snapshots.size() - 1).index();
        WalSegmentInfo middle = segments.stream().filter(w -> w.index() > snapshots.get(0).index() && w.index() < lastSnapshotIndex)
                .findFirst().orElseThrow();
        String t = middle.createdAt().toString();
        Path keelPit = dir.resolve("keel-pit.db");
        Restorer.restore(client, RestoreOptions.to(keelPit).withTarget(RestoreTarget.timestamp(middle.createdAt())));
        Path theirsPit = dir.resolve("litestream-pit.db");
        run(bin, "restore", "-timestamp", t, "-o", theirsPit.toString(), "file://" + replica);
        assertThat(Files.readAllBytes(keelPit)).isEqualTo(Files.readAllBytes(theirsPit));
        assertThat(TestReplica.rows(keelPit).size()).isLessThan(source.size());
    }

    static void run(Path bin, String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of(bin.toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(output).isZero();
    }
}

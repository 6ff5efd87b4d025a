package dev.keel.cli.startup;

import dev.keel.cli.Keel;
import dev.keel.replication.Replicator;
import dev.keel.replication.api.DatabaseConfig;
import dev.keel.replication.api.ReplicaConfig;
import dev.keel.replication.spi.ReplicaUrl;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A short, representative workload for making a class-data-sharing archive: replicates a small
 * database to a directory replica, then runs the restore, listing and config commands against it
 * the way a user would, and lists and restores the same replica through a loopback S3 stand-in, so that their classes
 * (picocli, config parsing, replication, restore, SQLite's driver, the AWS SDK) are archived and load quickly on later starts. Leaves nothing behind.
 */
final class StartupTraining {
    private StartupTraining() {
    }

    /** Runs the workload in a temp dir; returns the commands that did not exit as expected. */
    static List<String> run() throws Exception {
        Path dir = Files.createTempDirectory("keel-training");
        try {
            return commands(dir);
        } finally {
            deleteTree(dir);
        }
    }

    private static List<String> commands(Path dir) throws Exception {
        Path db = dir.resolve("app.db");
        Path replica = dir.resolve("replica");
        String url = "file://" + replica.toAbsolutePath();
        Instant midway = replicate(db, replica);
        Path config = dir.resolve("keel.yml");
        Files.writeString(config, "dbs:\n  - path: " + db + "\n    replicas:\n      - url: " + url + "\n");
        List<String> failed = new ArrayList<>();
        expect(failed, 0, "version");
        expect(failed, 0, "version", "--json");
        expect(failed, 0, "databases", "-config", config.toString());
        expect(failed, 0, "generations", url);
        expect(failed, 0, "snapshots", "--json", url);
        expect(failed, 0, "wal", "-config", config.toString(), db.toString());
        expect(failed, 0, "restore", "-o", dir.resolve("a.db").toString(), url);
        expect(failed, 0, "restore", "--json", "-o", dir.resolve("b.db").toString(), "-timestamp", midway.toString(), url);
        expect(failed, 0, "restore", "-config", config.toString(), "-o", dir.resolve("c.db").toString(), db.toString());
        expect(failed, 3, "restore", "-o", dir.resolve("a.db").toString(), url);
        expect(failed, 0, "restore", "-if-db-not-exists", "-o", dir.resolve("a.db").toString(), url);
        expect(failed, 0, "help", "restore");
        try (LoopbackS3 s3 = new LoopbackS3(dir)) {
            // the directory replica served as a bucket; explicit keys keep the SDK from looking for
            // credentials anywhere but this file
            Path s3config = dir.resolve("s3.yml");
            Files.writeString(s3config, "dbs:\n  - path: " + db + "\n    replicas:\n      - type: s3\n        bucket: "
                    + LoopbackS3.BUCKET + "\n        path: " + replica.getFileName() + "\n        endpoint: " + s3.endpoint()
                    + "\n        force-path-style: true\n        access-key-id: training\n        secret-access-key: training\n");
            expect(failed, 0, "generations", "-config", s3config.toString(), db.toString());
            expect(failed, 0, "restore", "-config", s3config.toString(), "-o", dir.resolve("s3.db").toString(), db.toString());
        }
        return failed;
    }

    /**
     * A database with a few transactions, replicated the way {@code keel replicate} does it; returns a
     * moment between the first and the last transaction on the replica.
     */
    private static Instant replicate(Path db, Path replica) throws Exception {
        Instant midway = null;
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            s.execute("PRAGMA journal_mode=WAL");
            s.execute("CREATE TABLE t(id INTEGER PRIMARY KEY, body TEXT)");
            ReplicaConfig target = ReplicaConfig.of(ReplicaUrl.parse("file://" + replica.toAbsolutePath()));
            try (Replicator r = Replicator.configure().databases(List.of(DatabaseConfig.of(db, List.of(target))))
                    .backgroundLoops(false).start()) {
                for (int i = 0; i < 3; i++) {
                    s.execute("INSERT INTO t(body) SELECT hex(randomblob(200)) FROM (WITH RECURSIVE k(x) AS "
                            + "(SELECT 1 UNION ALL SELECT x+1 FROM k WHERE x<200) SELECT x FROM k)");
                    r.sync();
                    if (i == 0) midway = Instant.now();
                }
            }
        }
        return midway;
    }

    private static void expect(List<String> failed, int status, String... args) {
        PrintWriter discard = new PrintWriter(OutputStream.nullOutputStream(), true);
        int actual = Keel.commandLine(discard, discard).execute(args);
        if (actual != status) failed.add(String.join(" ", args) + " (exit " + actual + ")");
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}

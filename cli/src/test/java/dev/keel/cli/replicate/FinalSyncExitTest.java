package dev.keel.cli.replicate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.cli.Keel;
import dev.keel.replication.restore.Restorer;
import dev.keel.replication.spi.ReplicaClient;
import dev.keel.replication.spi.ReplicaClients;
import dev.keel.testing.S3TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code keel replicate} and an S3 server that is down at its start or at its stop. Stopped with SIGTERM
 * while the server is down: the final sync cannot upload
 * what was committed since, so the process exits 69 and its log says, for the replica, which WAL was not
 * uploaded. Started again once the server is back, it uploads the rest, logs the position the replica
 * holds and exits 0 on SIGTERM.
 */
@Timeout(120)
class FinalSyncExitTest {
    @RegisterExtension
    static final S3TestServer SERVER = new S3TestServer();

    @TempDir
    Path dir;

    /** keel replicate in a child process, its output in a file (read while it runs and after it exited). */
    private record Daemon(Process process, Path log) {
        static Daemon start(Path log, String... args) throws Exception {
            List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), Keel.class.getName()));
            cmd.addAll(List.of(args));
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
            pb.environment().put("LITESTREAM_ACCESS_KEY_ID", SERVER.accessKeyId());
            pb.environment().put("LITESTREAM_SECRET_ACCESS_KEY", SERVER.secretAccessKey());
            return new Daemon(pb.start(), log);
        }

        String output() throws java.io.IOException {
            return Files.readString(log);
        }

        void await(String marker) throws Exception {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!output().contains(marker)) {
                assertThat(process.isAlive()).as("exited before logging '" + marker + "':\n" + output()).isTrue();
                assertThat(System.nanoTime()).as("no '" + marker + "' within 60 s:\n" + output()).isLessThan(deadline);
                Thread.sleep(20);
            }
        }

        int terminate() throws Exception {
            process.destroy(); // SIGTERM
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).as(output()).isTrue();
            return process.exitValue();
        }
    }

    @Test
    void aFinalSyncThatCannotReachTheStorageExits69SayingWhatWasNotUploadedAndTheNextRunUploadsIt() throws Exception {
        String bucket = SERVER.createBucket("final-sync");
        String url = "s3://" + bucket + ".127.0.0.1:" + SERVER.port() + "/app";
        Path db = dir.resolve("app.db");
        try (Connection app = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = app.createStatement()) {
            s.execute("PRAGMA journal_mode = wal");
            s.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
            Daemon first = Daemon.start(dir.resolve("first.log"), "replicate", db.toString(), url);
            first.await("snapshot written");
            SERVER.stop();
            for (int i = 0; i < 100; i++) s.execute("INSERT INTO t (v) VALUES ('row " + i + "')");
            int status = first.terminate();
            String log = first.output();
            assertThat(status).as(log).isEqualTo(69);
            assertThat(log).containsPattern("app\\.db -> s3://final-sync/app.*: final sync failed: not uploaded: WAL from "
                            + "[0-9a-f]{16}/[0-9a-f]{8}:[0-9a-f]{8} to [0-9a-f]{16}/[0-9a-f]{8}:[0-9a-f]{8} \\([1-9][0-9]* bytes\\)")
                    .contains("error: " + db + ": final sync failed, not uploaded: replica s3 (s3://final-sync/app")
                    .contains("hint: the data is kept in Keel's local shadow WAL")
                    .contains("final sync incomplete").doesNotContain("final sync succeeded")
                    .doesNotContain(SERVER.secretAccessKey());

            SERVER.start();
            Daemon second = Daemon.start(dir.resolve("second.log"), "replicate", db.toString(), url);
            second.await("replicating to");
            int again = second.terminate();
            String log2 = second.output();
            assertThat(again).as(log2).isZero();
            assertThat(log2).containsPattern("final sync succeeded: the replica holds everything up to [0-9a-f]{16}/");
        }
        assertThat(restoredRows(bucket, "app")).isEqualTo(100);
    }

    /**
     * The outage in the report: the S3 server was down (restarting) while keel replicate started. Keel
     * refused to start (exit 69 at once), the application went on writing, and a restore then found no
     * backup at all. It must start, keep the writes locally and upload them once the server is back.
     */
    @Test
    void launchedWhileTheServerIsDownItStartsAnywayAndUploadsOnceTheServerIsBack() throws Exception {
        String bucket = SERVER.createBucket("start-during-outage");
        String url = "s3://" + bucket + ".127.0.0.1:" + SERVER.port() + "/app";
        Path db = dir.resolve("app.db");
        try (Connection app = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = app.createStatement()) {
            s.execute("PRAGMA journal_mode = wal");
            s.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
            SERVER.stop();
            Daemon daemon;
            try {
                daemon = Daemon.start(dir.resolve("keel.log"), "replicate", db.toString(), url);
                daemon.await("cannot be reached at start");
                for (int i = 0; i < 100; i++) s.execute("INSERT INTO t (v) VALUES ('row " + i + "')");
                Thread.sleep(300);
                assertThat(daemon.process().isAlive()).as(daemon.output()).isTrue();
            } finally {
                SERVER.start();
            }
            daemon.await("snapshot written");
            int status = daemon.terminate();
            assertThat(status).as(daemon.output()).isZero();
            assertThat(daemon.output()).contains("final sync succeeded");
        }
        assertThat(restoredRows(bucket, "app")).isEqualTo(100);
    }

    private long restoredRows(String bucket, String path) throws Exception {
        Path out = dir.resolve("restored-" + bucket + ".db");
        try (ReplicaClient client = ReplicaClients.open(SERVER.storage(bucket, path))) {
            Restorer.configure().from(client).output(out).restore();
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + out); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM t")) {
            return rs.getLong(1);
        }
    }
}

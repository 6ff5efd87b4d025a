package dev.keel.cli.replicate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.cli.Keel;
import dev.keel.replication.file.FileReplicaClient;
import dev.keel.replication.restore.Restorer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code keel replicate} and the replica's lease, as a user meets them: a second replicator refused with
 * exit 69 naming the holder, and {@code -takeover} moving the replica to a new replicator while the old
 * one, still running and writing, stops writing it.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class ReplicateLeaseCommandTest {
    @TempDir
    Path dir;

    private Process keel(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Keel.class.getName()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectErrorStream(true).start();
    }

    /** Collects a process's output in the background. */
    private static StringBuilder follow(Process p) {
        StringBuilder seen = new StringBuilder();
        Thread t = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    synchronized (seen) {
                        seen.append(line).append('\n');
                    }
                }
            } catch (java.io.IOException ignored) {
                // the process ended
            }
        });
        t.setDaemon(true);
        t.start();
        return seen;
    }

    private static void await(StringBuilder log, String text) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (true) {
            synchronized (log) {
                if (log.indexOf(text) >= 0) return;
            }
            if (System.nanoTime() > deadline) throw new AssertionError("no '" + text + "' within 90 s in:\n" + log);
            Thread.sleep(50);
        }
    }

    private Path walDatabase(String name) throws Exception {
        Path db = dir.resolve(name);
        try (Connection app = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = app.createStatement()) {
            s.execute("PRAGMA journal_mode = wal");
            s.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
            s.execute("INSERT INTO t (v) VALUES ('" + name + "')");
        }
        return db;
    }

    private Path config(String name, Path db, Path replica) throws Exception {
        return Files.writeString(dir.resolve(name), "dbs:\n  - path: " + db + "\n    monitor-interval: 100ms\n"
                + "    replicas:\n      - url: " + replica.toUri() + "\n        sync-interval: 100ms\n        lease-ttl: 2s\n");
    }

    @Test
    void aSecondReplicatorExits69AndTakeoverMovesTheReplicaWhileTheOldHolderStopsWriting() throws Exception {
        Path blue = walDatabase("blue.db");
        Path green = walDatabase("green.db");
        Path red = walDatabase("red.db");
        Path replica = dir.resolve("backup");
        AtomicBoolean stop = new AtomicBoolean();
        Process old = keel("replicate", "-config", config("blue.yml", blue, replica).toString());
        StringBuilder oldLog = follow(old);
        Process next = null;
        Thread writer = new Thread(() -> { // the old holder keeps writing, so it keeps renewing its lease
            try (Connection app = DriverManager.getConnection("jdbc:sqlite:" + blue); Statement s = app.createStatement()) {
                for (int i = 0; !stop.get(); i++) {
                    s.execute("INSERT INTO t (v) VALUES ('blue " + i + "')");
                    Thread.sleep(100);
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        try {
            await(oldLog, "snapshot written");
            writer.start();

            StringWriter err = new StringWriter();
            int status = Keel.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(err))
                    .execute("replicate", red.toString(), replica.toUri().toString());
            assertThat(status).as(err.toString()).isEqualTo(69);
            assertThat(err.toString()).contains("error: ").contains("the replica is written by another replicator")
                    .contains("lease is held by host").contains("pid " + old.pid())
                    .contains("hint: ").contains("-takeover");

            next = keel("replicate", "-takeover", "-config", config("green.yml", green, replica).toString());
            StringBuilder nextLog = follow(next);
            await(nextLog, "lease taken over from");
            await(nextLog, "snapshot written");
            await(oldLog, "the replica is written by another replicator");
            stop.set(true);
            writer.join();

            next.destroy();
            assertThat(next.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(next.exitValue()).as(nextLog.toString()).isZero();
            old.destroy();
            assertThat(old.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(old.exitValue()).as("the old holder's final sync could not upload: " + oldLog).isEqualTo(69);
        } finally {
            stop.set(true);
            old.destroyForcibly();
            if (next != null) next.destroyForcibly();
        }
        Path out = dir.resolve("restored.db");
        Restorer.configure().from(new FileReplicaClient(replica)).output(out).restore();
        assertThat(rows(out)).as("the newest generation is the new holder's").containsExactly("green.db");
    }

    private static List<String> rows(Path db) throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT v FROM t ORDER BY id")) {
            while (rs.next()) out.add(rs.getString(1));
        }
        return out;
    }
}

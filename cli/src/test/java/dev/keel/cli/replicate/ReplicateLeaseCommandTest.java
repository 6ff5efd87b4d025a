package dev.keel.cli.replicate;

import static dev.keel.cli.replicate.AppDatabases.rows;
import static dev.keel.cli.replicate.AppDatabases.walDatabase;
import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.cli.Keel;
import dev.keel.replication.file.FileReplicaClient;
import dev.keel.replication.restore.Restorer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
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

    private Path config(String name, Path db, Path replica) throws Exception {
        return Files.writeString(dir.resolve(name), "dbs:\n  - path: " + db + "\n    monitor-interval: 100ms\n"
                + "    replicas:\n      - url: " + replica.toUri() + "\n        sync-interval: 100ms\n        lease-ttl: 2s\n");
    }

    @Test
    void aSecondReplicatorExits69AndTakeoverMovesTheReplicaWhileTheOldHolderStopsWriting() throws Exception {
        Path blue = walDatabase(dir, "blue.db", "blue.db");
        Path green = walDatabase(dir, "green.db", "green.db");
        Path red = walDatabase(dir, "red.db", "red.db");
        Path replica = dir.resolve("backup");
        AtomicBoolean stop = new AtomicBoolean();
        KeelProcess old = KeelProcess.start("replicate", "-config", config("blue.yml", blue, replica).toString());
        KeelProcess next = null;
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
            old.await("snapshot written");
            writer.start();

            StringWriter err = new StringWriter();
            int status = Keel.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(err))
                    .execute("replicate", red.toString(), replica.toUri().toString());
            assertThat(status).as(err.toString()).isEqualTo(69);
            assertThat(err.toString()).contains("error: ").contains("the replica is written by another replicator")
                    .contains("lease is held by host").contains("pid " + old.pid())
                    .contains("hint: ").contains("-takeover");

            next = KeelProcess.start("replicate", "-takeover", "-config", config("green.yml", green, replica).toString());
            next.await("lease taken over from");
            next.await("snapshot written");
            old.await("the replica is written by another replicator");
            stop.set(true);
            writer.join();

            assertThat(next.stop()).as(next.log()).isZero();
            assertThat(old.stop()).as("the old holder's final sync could not upload: " + old.log()).isEqualTo(69);
        } finally {
            stop.set(true);
            old.close();
            if (next != null) next.close();
        }
        Path out = dir.resolve("restored.db");
        Restorer.configure().from(new FileReplicaClient(replica)).output(out).restore();
        assertThat(rows(out)).as("the newest generation is the new holder's").containsExactly("green.db");
    }
}

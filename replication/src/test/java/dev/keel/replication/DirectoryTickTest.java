package dev.keel.replication;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.core.fleet.DatabaseDirectory;
import dev.keel.replication.api.DatabaseConfig;
import dev.keel.replication.api.DirectoryConfig;
import dev.keel.replication.api.ReplicaConfig;
import dev.keel.replication.spi.ReplicaStorage;
import dev.keel.replication.spi.ReplicationListener;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The databases of a {@code dir:} entry are walked by one tick per monitor interval, as listed databases
 * are: a timer of their own each (10,000 timers in the pool's queue, each with a stat of its own) made an
 * idle fleet's CPU grow faster than the fleet.
 */
class DirectoryTickTest {
    private static final int DATABASES = 5;

    @TempDir
    Path dir;

    @Test
    void aDirEntrysDatabasesShareOneTick() throws Exception {
        Path root = Files.createDirectories(dir.resolve("tenants"));
        for (int i = 0; i < DATABASES; i++) {
            try (Connection c = TestDatabases.open(root.resolve("tenant-" + i + ".db"))) {
                TestDatabases.exec(c, "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)", "INSERT INTO t (v) VALUES ('" + i + "')");
            }
        }
        AtomicInteger mostWalked = new AtomicInteger();
        ReplicationListener listener = new ReplicationListener() {
            @Override
            public void loopsTicked(int databases, Duration took) {
                mostWalked.accumulateAndGet(databases, Math::max);
            }
        };
        DatabaseConfig template = new DatabaseConfig(root, null, Duration.ofMillis(100), Duration.ofSeconds(10), 1000, 10000,
                List.of(new ReplicaConfig("dir", new ReplicaStorage.File(dir.resolve("replicas")), Duration.ofMillis(100),
                        null, null, null, null)));
        try (Replicator r = Replicator.configure().listener(listener).start()) {
            r.follow(new DirectoryConfig(new DatabaseDirectory(root, "*.db", false), template, true));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (mostWalked.get() < DATABASES && System.nanoTime() < deadline) Thread.sleep(50);
            assertThat(mostWalked.get()).as("databases walked by one tick").isEqualTo(DATABASES);
        }
    }
}

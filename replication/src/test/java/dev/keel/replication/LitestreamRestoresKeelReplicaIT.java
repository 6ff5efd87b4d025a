package dev.keel.replication;

import static dev.keel.replication.TestDatabases.dump;
import static dev.keel.replication.TestDatabases.exec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.keel.replication.api.DatabaseConfig;
import dev.keel.replication.api.ReplicaConfig;
import dev.keel.replication.spi.ReplicaStorage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Litestream 0.3.13's own binary restores a replica Keel wrote, equal to the source. */
class LitestreamRestoresKeelReplicaIT {
    @TempDir
    Path dir;

    static Path litestream() {
        String tools = System.getProperty("keel.tools.dir", ".tools");
        return Path.of(tools, "node_modules", "@flydotio", "litestream-linux-x64", "litestream");
    }

    @Test
    void litestreamRestoresWhatKeelReplicated() throws Exception {
        Path binary = litestream();
        assumeTrue(Files.isExecutable(binary), "Litestream 0.3.13 is not installed (run scripts/install-test-tools)");
        Path db = dir.resolve("app.db");
        Path replica = dir.resolve("replica");
        DatabaseConfig config = new DatabaseConfig(db, null, Duration.ofMillis(50), Duration.ofMinutes(1), 40, 0,
                List.of(new ReplicaConfig("local", new ReplicaStorage.File(replica), Duration.ofMillis(50), null, null, null, null)));
        Random random = new Random(42);
        try (Connection app = TestDatabases.open(db)) {
            exec(app, "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT, b BLOB)", "CREATE INDEX t_v ON t (v)");
            try (Replicator r = Replicator.configure().databases(List.of(config)).backgroundLoops(false).start();
                 PreparedStatement ps = app.prepareStatement("INSERT INTO t (v, b) VALUES (?, ?)")) {
                for (int round = 0; round < 8; round++) {
                    for (int i = 0; i < 60; i++) {
                        ps.setString(1, "v" + random.nextInt(1000));
                        byte[] b = new byte[random.nextInt(3000)];
                        random.nextBytes(b);
                        ps.setBytes(2, b);
                        ps.executeUpdate();
                    }
                    if (round == 4) exec(app, "DELETE FROM t WHERE id % 3 = 0", "UPDATE t SET v = v || '!' WHERE id % 5 = 0");
                    r.sync();
                }
                // Restored while Keel holds the replica's lease: Litestream must not trip over the lease object.
                assertThat(Files.readString(replica.resolve("keel-lease"))).contains("released=false");
                Path out = dir.resolve("restored.db");
                Process p = new ProcessBuilder(binary.toString(), "restore", "-o", out.toString(), replica.toUri().toString())
                        .redirectErrorStream(true).start();
                String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
                assertThat(p.exitValue()).as(log).isZero();
                assertThat(log).contains("applied wal");
                assertThat(TestDatabases.integrityCheck(out)).isEqualTo("ok");
                assertThat(dump(out)).isEqualTo(dump(app)).isNotEmpty();
            }
        }
    }
}

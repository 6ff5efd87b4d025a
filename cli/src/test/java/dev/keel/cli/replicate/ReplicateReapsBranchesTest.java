package dev.keel.cli.replicate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.cli.Keel;
import dev.keel.fleet.branch.Branch;
import dev.keel.fleet.branch.BranchSource;
import dev.keel.fleet.branch.BranchSpec;
import dev.keel.fleet.branch.Branches;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code keel replicate} with a {@code branches:} key deletes branches of those directories once they expire. */
class ReplicateReapsBranchesTest {
    @TempDir
    Path dir;

    @Test
    void theDaemonReapsAnExpiredBranchWhileItRuns() throws Exception {
        Path db = dir.resolve("app.db");
        try (Connection app = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = app.createStatement()) {
            s.execute("PRAGMA journal_mode = wal");
            s.execute("CREATE TABLE t (x)");
        }
        Path branches = Files.createDirectories(dir.resolve("branches"));
        Branch shortLived = Branches.create(BranchSpec.from(BranchSource.database(db)).to(branches.resolve("short.db"))
                .ttl(Duration.ofSeconds(4)).build());
        Branch longLived = Branches.create(BranchSpec.from(BranchSource.database(db)).to(branches.resolve("long.db"))
                .ttl(Duration.ofHours(1)).build());
        Path config = Files.writeString(dir.resolve("keel.yml"), "dbs:\n  - path: " + db + "\n    replicas:\n      - path: "
                + dir.resolve("backup") + "\nbranches:\n  - " + branches + "\n");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Keel.class.getName(), "replicate", "-config", config.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("log.txt").toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
            String reaped = "reaped expired branch " + shortLived.path();
            while (!log().contains(reaped) && System.nanoTime() < deadline && p.isAlive()) Thread.sleep(100);
            String log = log();
            assertThat(Files.exists(shortLived.path())).as(log).isFalse();
            assertThat(Files.exists(shortLived.sidecar())).isFalse();
            assertThat(Files.exists(longLived.path())).isTrue();
            assertThat(log).contains(reaped);
            // the daemon handles SIGTERM once replication has started: stop it after that, as a user would
            while (!log().contains("snapshot written") && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
        } finally {
            p.destroy();
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(p.exitValue()).isZero();
    }

    private String log() throws java.io.IOException {
        return Files.readString(dir.resolve("log.txt"), StandardCharsets.UTF_8);
    }
}

package dev.keel.cli.replicate;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code held-memory:} reaches the replicator {@code keel replicate} runs: it bounds the databases held open. */
class ReplicateHeldMemoryTest {
    @TempDir
    Path dir;

    @Test
    void theConfiguredHeldMemoryIsTheBudgetOfTheDaemon() throws Exception {
        StringBuilder yaml = new StringBuilder("held-memory: 448KiB  # two databases\ndbs:\n");
        for (String name : new String[]{"a.db", "b.db", "c.db"}) {
            Path db = AppDatabases.walDatabase(dir, name, "one");
            yaml.append("  - path: ").append(db).append("\n    replicas:\n      - path: ")
                    .append(dir.resolve("replica-" + name)).append('\n');
        }
        Path config = Files.writeString(dir.resolve("keel.yml"), yaml.toString());
        try (KeelProcess keel = KeelProcess.start("replicate", "-config", config.toString())) {
            keel.await("3 databases followed: 2 held open, 1 parked (at most 2 held: held memory of 448 KiB");
            assertThat(keel.stop()).as(keel.log()).isZero();
        }
    }
}

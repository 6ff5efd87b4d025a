package dev.keel.replication.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.replication.spi.ReplicaStorage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The engine schedules in milliseconds: every interval below 1 ms is refused when the config is built, naming it. */
class SettingsTest {
    private static final ReplicaStorage STORAGE = new ReplicaStorage.File(Path.of("/r"));
    private static final Duration SUB_MILLI = Duration.ofNanos(500_000);

    @Test
    void replicaIntervalsBelowOneMillisecondAreRefusedByName() {
        assertSetting("syncInterval", () -> new ReplicaConfig(null, STORAGE, SUB_MILLI, null, null, null, null));
        assertSetting("snapshotInterval", () -> new ReplicaConfig(null, STORAGE, null, SUB_MILLI, null, null, null));
        assertSetting("retention", () -> new ReplicaConfig(null, STORAGE, null, null, Duration.ZERO, null, null));
        assertSetting("retentionCheckInterval", () -> new ReplicaConfig(null, STORAGE, null, null, null, Duration.ofSeconds(-1), null));
        assertSetting("validationInterval", () -> new ReplicaConfig(null, STORAGE, null, null, null, null, SUB_MILLI));
        ReplicaConfig ok = new ReplicaConfig(null, STORAGE, Duration.ofMillis(1), null, null, null, null);
        assertThat(ok.syncInterval()).isEqualTo(Duration.ofMillis(1));
    }

    @Test
    void databaseSettingsAreCheckedToo() {
        assertSetting("monitorInterval", () -> new DatabaseConfig(Path.of("/a.db"), null, SUB_MILLI, null, 0, 0, List.of()));
        assertSetting("checkpointInterval", () -> new DatabaseConfig(Path.of("/a.db"), null, null, Duration.ofDays(-1), 0, 0, List.of()));
        assertSetting("minCheckpointPageCount", () -> new DatabaseConfig(Path.of("/a.db"), null, null, null, -5, 0, List.of()));
        assertSetting("minCheckpointPageCount", () -> new DatabaseConfig(Path.of("/a.db"), null, null, null, 20_000, 0, List.of()));
        assertSetting("monitorInterval", () -> new DatabaseConfig(Path.of("/a.db"), null, Duration.ofDays(300L * 365), null, 0, 0, List.of()));
    }

    private static void assertSetting(String setting, Runnable construct) {
        assertThatThrownBy(construct::run).isInstanceOfSatisfying(InvalidSettingException.class, e -> {
            assertThat(e.setting()).isEqualTo(setting);
            assertThat(e.getMessage()).startsWith(setting + " must");
        });
    }
}

package dev.keel.cli.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import dev.keel.replication.api.LeaseSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The replica keys {@code lease} and {@code lease-ttl}: read into the replica's settings, bad values refused at their line. */
class LeaseConfigTest {
    @TempDir
    Path tmp;

    private static String replica(String keys) {
        return "dbs:\n  - path: /a.db\n    replicas:\n      - path: /b\n" + keys;
    }

    @Test
    void defaultsToAutoWithAThirtySecondTtl() {
        LeaseSettings lease = new ConfigFixture(tmp).load(replica("")).databases().get(0).replicas().get(0).lease();
        assertThat(lease).isEqualTo(LeaseSettings.DEFAULT);
        assertThat(lease.ttl()).isEqualTo(Duration.ofSeconds(30));
    }

    @ParameterizedTest
    @CsvSource({"off, 5m, OFF, 300", "on, 2s, ON, 2", "auto, 1h, AUTO, 3600", "false, 10s, OFF, 10", "true, 45s, ON, 45"})
    void readsModeAndTtl(String mode, String ttl, LeaseSettings.Mode expected, long seconds) {
        LeaseSettings lease = new ConfigFixture(tmp).load(replica("        lease: " + mode + "\n        lease-ttl: " + ttl + "\n"))
                .databases().get(0).replicas().get(0).lease();
        assertThat(lease.mode()).isEqualTo(expected);
        assertThat(lease.ttl()).isEqualTo(Duration.ofSeconds(seconds));
        assertThat(lease.takeover()).isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "lease: sometimes                 | 5 | lease should be auto, on or off, not 'sometimes' | auto",
            "lease-ttl: 1s                    | 5 | lease-ttl must be at least 2s, not '1s'        | from 2s to 1h",
            "lease-ttl: 2h                    | 5 | lease-ttl must be at most 1h, not '2h'         | from 2s to 1h",
            "lease-ttl: soon                  | 5 | bad duration 'soon'                             | ",
            "sync-interval: 1s; lease-ttl: 500ms | 6 | lease-ttl must be at least 2s               | from 2s to 1h"})
    void badValuesNameFileLineAndWhatToWrite(String keys, int line, String message, String hint) {
        ConfigFixture fx = new ConfigFixture(tmp);
        Path file = fx.write("bad.yml", replica("        " + keys.replace("; ", "\n        ") + "\n"));
        KeelException e = catchThrowableOfType(KeelException.class,
                () -> new ConfigLoader(fx.env(Map.of())).load(file.toString(), true));
        assertThat(e).isNotNull();
        assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT);
        assertThat(e.subject()).isEqualTo(file + ":" + line);
        assertThat(e.getMessage()).contains(message);
        assertThat(e.hint()).isNotBlank();
        if (hint != null) assertThat(e.hint()).contains(hint);
    }

    @Test
    void aLeaseOnAnSftpReplicaIsRefusedAtItsLine() {
        ConfigFixture fx = new ConfigFixture(tmp);
        Path file = fx.write("bad.yml", "dbs:\n  - path: /a.db\n    replicas:\n      - url: sftp://u@h/x\n        lease: on\n");
        KeelException e = catchThrowableOfType(KeelException.class,
                () -> new ConfigLoader(fx.env(Map.of())).load(file.toString(), true));
        assertThat(e).isNotNull();
        assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT);
        assertThat(e.subject()).isEqualTo(file + ":5");
        assertThat(e.getMessage()).contains("sftp replica cannot hold a lease");
        assertThat(e.hint()).contains("remove 'lease: on'");
    }

    /** GCS has generation preconditions, but the emulator Keel is tested against ignores them: refused rather than ignored. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"url: gcs://bkt/x", "type: gcs; bucket: bkt; path: x"})
    void aLeaseOnAGcsReplicaIsRefusedAtItsLine(String keys) {
        ConfigFixture fx = new ConfigFixture(tmp);
        String lines = "      - " + keys.replace("; ", "\n        ") + "\n        lease: on\n";
        Path file = fx.write("bad.yml", "dbs:\n  - path: /a.db\n    replicas:\n" + lines);
        KeelException e = catchThrowableOfType(KeelException.class,
                () -> new ConfigLoader(fx.env(Map.of())).load(file.toString(), true));
        assertThat(e).isNotNull();
        assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT);
        assertThat(e.subject()).isEqualTo(file + ":" + (4 + keys.split("; ").length));
        assertThat(e.getMessage()).contains("cannot hold a lease on a gcs replica");
        assertThat(e.hint()).contains("remove 'lease: on'");
        // auto and off are accepted: the replica runs without a lease, as an sftp one does
        Path auto = fx.write("auto.yml", "dbs:\n  - path: /a.db\n    replicas:\n" + lines.replace("lease: on", "lease: auto"));
        assertThat(new ConfigLoader(fx.env(Map.of())).load(auto.toString(), true).databases().get(0).replicas().get(0)
                .lease().mode()).isEqualTo(LeaseSettings.Mode.AUTO);
    }
}

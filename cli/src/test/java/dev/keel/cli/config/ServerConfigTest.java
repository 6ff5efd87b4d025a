package dev.keel.cli.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import dev.keel.server.MetricsDetail;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code server:} block: what {@code addr} serves. */
class ServerConfigTest {
    @TempDir
    Path tmp;

    private KeelException error(String yaml) {
        KeelException e = catchThrowableOfType(KeelException.class, () -> new ConfigFixture(tmp).load(yaml));
        assertThat(e).as(yaml).isNotNull();
        assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT);
        assertThat(e.hint()).isNotBlank();
        return e;
    }

    @Test
    void defaultsWithoutTheBlock() {
        KeelConfig c = new ConfigFixture(tmp).load("addr: ':9090'\n");
        assertThat(c.server().readyWithin()).isEqualTo(Duration.ofMinutes(1));
        assertThat(c.server().perDatabaseMetrics()).isEqualTo(MetricsDetail.ALL);
    }

    @Test
    void readsReadyWithinAndPerDatabaseMetrics() {
        KeelConfig c = new ConfigFixture(tmp).load("addr: ':9090'\nserver:\n  ready-within: 30s\n  per-database-metrics: 100\n");
        assertThat(c.server().readyWithin()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.server().perDatabaseMetrics().worst()).isEqualTo(100);
        assertThat(new ConfigFixture(tmp).load("addr: ':9090'\nserver:\n  per-database-metrics: all\n").server()
                .perDatabaseMetrics()).isEqualTo(MetricsDetail.ALL);
    }

    @Test
    void refusesBadValuesAtTheirLine() {
        for (String bad : List.of("-1", "ten", "10001", "1.5", "")) {
            KeelException e = error("addr: ':9090'\nserver:\n  per-database-metrics: '" + bad + "'\n");
            assertThat(e.subject()).as(bad).endsWith("keel.yml:3");
            assertThat(e.getMessage()).as(bad).startsWith("server.per-database-metrics");
            assertThat(e.hint()).contains("all").contains("10000");
        }
        for (String bad : List.of("0s", "-5s", "200h")) {
            KeelException e = error("addr: ':9090'\nserver:\n  ready-within: " + bad + "\n");
            assertThat(e.subject()).as(bad).endsWith("keel.yml:3");
        }
        assertThat(error("addr: ':9090'\nserver:\n  ready: 1m\n").getMessage()).contains("ready");
        KeelException noAddr = error("server:\n  ready-within: 1m\n");
        assertThat(noAddr.getMessage()).contains("addr");
    }
}

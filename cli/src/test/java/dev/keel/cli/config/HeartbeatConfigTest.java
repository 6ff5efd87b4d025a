package dev.keel.cli.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code heartbeat-url} and {@code heartbeat-interval}: read with Litestream 0.5's defaults, refused with file:line. */
class HeartbeatConfigTest {
    private static final String PASSWORD = "hbPassw0rdValue";

    @TempDir
    Path tmp;

    private KeelConfig load(String yaml) {
        ConfigFixture fx = new ConfigFixture(tmp);
        Path file = fx.write("keel.yml", yaml);
        return new ConfigLoader(fx.env(Map.of())).load(file.toString(), true);
    }

    private KeelException refused(String yaml, int line) {
        ConfigFixture fx = new ConfigFixture(tmp);
        Path file = fx.write("bad.yml", yaml);
        KeelException e = catchThrowableOfType(KeelException.class, () -> new ConfigLoader(fx.env(Map.of())).load(file.toString(), true));
        assertThat(e).as("expected an error for:%n%s", yaml).isNotNull();
        assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT);
        assertThat(e.subject()).isEqualTo(file + ":" + line);
        assertThat(e.hint()).isNotBlank();
        assertThat(e.getMessage() + e.hint()).doesNotContain(PASSWORD);
        return e;
    }

    @Test
    void readsTheUrlWithAFiveMinuteDefaultAndAnExplicitInterval() {
        assertThat(load("dbs: []\n").heartbeat()).isNull();
        KeelConfig.Heartbeat h = load("heartbeat-url: https://hc-ping.com/abc\ndbs: []\n").heartbeat();
        assertThat(h.url()).isEqualTo(URI.create("https://hc-ping.com/abc"));
        assertThat(h.interval()).isEqualTo(Duration.ofMinutes(5));
        assertThat(load("heartbeat-url: http://127.0.0.1:8080/p\nheartbeat-interval: 90s\n").heartbeat().interval())
                .isEqualTo(Duration.ofSeconds(90));
    }

    @Test
    void theUrlsPasswordIsASecretOfTheFile() {
        KeelConfig c = load("heartbeat-url: https://me:" + PASSWORD + "@hc.example/p\n");
        assertThat(c.redactor().redact("ping " + PASSWORD)).isEqualTo("ping ***");
        assertThat(c.heartbeat().toString()).doesNotContain(PASSWORD);
    }

    @Test
    void refusesBadValuesNamingTheLine() {
        assertThat(refused("dbs: []\nheartbeat-url: ftp://me:" + PASSWORD + "@host/p\n", 2).getMessage()).contains("http or https");
        assertThat(refused("heartbeat-url: hc-ping.com/abc\n", 1).getMessage()).contains("http or https");
        assertThat(refused("heartbeat-url: 'http://exa mple/'\n", 1).getMessage()).contains("heartbeat-url is not a URL");
        assertThat(refused("heartbeat-url: https://hc-ping.com/a\nheartbeat-interval: 30s\n", 2).getMessage())
                .contains("at least 1 minute", "30s");
        assertThat(refused("heartbeat-url: https://hc-ping.com/a\nheartbeat-interval: 5\n", 2).getMessage()).contains("bad duration");
        assertThat(refused("dbs: []\nheartbeat-interval: 5m\n", 2).getMessage()).contains("heartbeat-url is not");
        assertThat(refused("heartbeat-ur: https://x/\n", 1).getMessage()).contains("did you mean 'heartbeat-url'?");
    }
}

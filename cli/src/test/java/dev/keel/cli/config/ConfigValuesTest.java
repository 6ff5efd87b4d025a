package dev.keel.cli.config;

import static dev.keel.cli.KeelCliTest.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.keel.cli.KeelCliTest.Run;
import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the config file accepts is what the engine runs with: one check, in the engine's records, for every command. */
class ConfigValuesTest {
    @TempDir
    Path tmp;

    private KeelException error(String yaml) {
        ConfigFixture fx = new ConfigFixture(tmp);
        KeelException e = catchThrowableOfType(KeelException.class, () -> fx.load(yaml));
        assertThat(e).as(yaml).isNotNull();
        assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT);
        assertThat(e.hint()).isNotBlank();
        return e;
    }

    @Test
    void everyDurationBelowOneMillisecondIsAConfigErrorAtItsKey() {
        for (String key : List.of("sync-interval", "snapshot-interval", "retention", "retention-check-interval", "validation-interval")) {
            KeelException e = error("""
                    dbs:
                      - path: /a.db
                        replicas:
                          - path: /r
                            %s: 500us
                    """.formatted(key));
            assertThat(e.subject()).as(key).endsWith("keel.yml:5");
            assertThat(e.getMessage()).isEqualTo("dbs[0].replicas[0]." + key + " must be at least 1ms, not '500us'");
            assertThat(e.hint()).contains("milliseconds");
        }
        for (String key : List.of("monitor-interval", "checkpoint-interval")) {
            KeelException e = error("""
                    dbs:
                      - path: /a.db
                        %s: 0s
                    """.formatted(key));
            assertThat(e.subject()).as(key).endsWith("keel.yml:3");
            assertThat(e.getMessage()).isEqualTo("dbs[0]." + key + " must be at least 1ms, not '0s'");
        }
    }

    @Test
    void subMillisecondSyncIntervalFailsEveryCommandTheSameWay() throws Exception {
        Path file = Files.writeString(tmp.resolve("keel.yml"), """
                dbs:
                  - path: %s/app.db
                    replicas:
                      - path: %s/r
                        sync-interval: 500us
                """.formatted(tmp, tmp));
        for (String command : List.of("databases", "replicate", "validate")) {
            Run r = run(command, "-config", file.toString());
            assertThat(r.status()).as(command + ": " + r.err()).isEqualTo(65);
            assertThat(r.err()).as(command).startsWith("error: " + file + ":5: dbs[0].replicas[0].sync-interval must be at least 1ms")
                    .contains("hint: ").doesNotContain("IllegalArgumentException");
        }
    }

    @Test
    void addrTakesWhatGoListensOn() {
        ConfigFixture fx = new ConfigFixture(tmp);
        for (String ok : List.of(":9090", "localhost:9090", "127.0.0.1:0", "[::1]:9090", "[fe80::1%eth0]:80", "metrics.internal:65535")) {
            assertThat(fx.load("addr: \"" + ok + "\"\n").addr()).isEqualTo(ok);
        }
        for (String bad : List.of("9090", "localhost", ":", ":port", "host:70000", "a b:80", "::1:9090", "[::1]", "http://h:80", ":-1")) {
            KeelException e = error("addr: \"" + bad + "\"\n");
            assertThat(e.subject()).as(bad).endsWith("keel.yml:1");
            assertThat(e.getMessage()).as(bad).startsWith("addr '" + bad + "'");
        }
        assertThat(error("addr: \"h:99999\"\n").hint()).contains("0 to 65535");
    }
}

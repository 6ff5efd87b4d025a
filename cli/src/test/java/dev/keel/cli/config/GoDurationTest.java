package dev.keel.cli.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class GoDurationTest {
    @ParameterizedTest
    @CsvSource({
            "0, 0", "0s, 0", "1s, 1000000000", "500ms, 500000000", "24h, 86400000000000", "72h, 259200000000000",
            "1h30m, 5400000000000", "1.5h, 5400000000000", "+5s, 5000000000", "-1.5s, -1500000000",
            "1ns, 1", "1us, 1000", "1\u00b5s, 1000", "1\u03bcs, 1000", ".5s, 500000000", "1.s, 1000000000",
            "2h45m30.5s, 9930500000000", "100ms1ns, 100000001"})
    void parsesGoSyntax(String text, long nanos) {
        assertThat(GoDuration.parse(text)).isEqualTo(Duration.ofNanos(nanos));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "10", "1", "s", "1d", "1 s", "1h 30m", ".s", "-", "1.2.3s", "5m-3s", "9999999999h"})
    void rejectsWhatGoRejects(String text) {
        assertThatThrownBy(() -> GoDuration.parse(text)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @CsvSource({"0, 0s", "1, 1ns", "1500, 1.5\u00b5s", "500000000, 500ms", "1500000000, 1.5s", "90000000000, 1m30s",
            "86400000000000, 24h0m0s", "5400000000000, 1h30m0s", "-2000000000, -2s", "3600000000001, 1h0m0.000000001s"})
    void formatsLikeGo(long nanos, String text) {
        assertThat(GoDuration.format(Duration.ofNanos(nanos))).isEqualTo(text);
    }

    @Test
    void formatThenParseIsIdentity() {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        for (int i = 0; i < 2000; i++) {
            long nanos = random.nextLong() % 300_000_000_000_000L;
            Duration d = Duration.ofNanos(nanos);
            assertThat(GoDuration.parse(GoDuration.format(d))).as("seed %d, %s", seed, d).isEqualTo(d);
        }
    }
}

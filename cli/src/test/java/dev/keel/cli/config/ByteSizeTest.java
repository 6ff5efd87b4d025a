package dev.keel.cli.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ByteSizeTest {
    @ParameterizedTest
    @CsvSource({"0, 0", "1048576, 1048576", "512MB, 512000000", "512mb, 512000000", "64MiB, 67108864",
            "1GiB, 1073741824", "1 GiB, 1073741824", "1.5GB, 1500000000", "1.5KiB, 1536", "2g, 2000000000",
            "10b, 10", "1TiB, 1099511627776", ".5MiB, 524288", "3k, 3000"})
    void parsesSizes(String text, long bytes) {
        assertThat(ByteSize.parse(text)).isEqualTo(bytes);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "MB", "-1MB", "1XB", "1 2MB", "1..5GB", "lots", "99999999999TiB"})
    void rejectsWhatIsNotASize(String text) {
        assertThatThrownBy(() -> ByteSize.parse(text)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @CsvSource({"0, 0 bytes", "1000, 1000 bytes", "1024, 1KiB", "458752, 448KiB", "469762048, 448MiB",
            "1073741824, 1GiB", "1000000000, 953.7MiB", "1099511627776, 1TiB", "1536, 1.5KiB"})
    void formatsSizes(long bytes, String text) {
        assertThat(ByteSize.format(bytes)).isEqualTo(text);
    }
}

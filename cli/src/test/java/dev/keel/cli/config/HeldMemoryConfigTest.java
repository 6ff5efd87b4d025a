package dev.keel.cli.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import dev.keel.replication.api.HeldMemory;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The top-level {@code held-memory:} key: the native memory the databases held open may take. */
class HeldMemoryConfigTest {
    @TempDir
    Path tmp;

    private KeelException error(String yaml) {
        KeelException e = catchThrowableOfType(KeelException.class, () -> new ConfigFixture(tmp).load(yaml));
        assertThat(e).as(yaml).isNotNull();
        assertThat(e.code()).as(yaml).isEqualTo(ErrorCode.BAD_INPUT);
        assertThat(e.hint()).as(yaml).isNotBlank();
        return e;
    }

    @Test
    void defaultsToTheLibrarysDefaultWithoutTheKey() {
        assertThat(new ConfigFixture(tmp).load("dbs: []\n").heldMemory()).isEqualTo(HeldMemory.DEFAULT);
        assertThat(new ConfigFixture(tmp).load("").heldMemory()).isEqualTo(HeldMemory.DEFAULT);
        assertThat(HeldMemory.DEFAULT.bytes()).isEqualTo(448L << 20);
    }

    @Test
    void readsSizesWithOrWithoutUnits() {
        assertThat(new ConfigFixture(tmp).load("held-memory: 1GiB\n").heldMemory().bytes()).isEqualTo(1L << 30);
        assertThat(new ConfigFixture(tmp).load("held-memory: 2GB\n").heldMemory().bytes()).isEqualTo(2_000_000_000L);
        assertThat(new ConfigFixture(tmp).load("held-memory: 448MiB\n").heldMemory().heldBudget()).isEqualTo(2048);
        assertThat(new ConfigFixture(tmp).load("held-memory: 458752\n").heldMemory().heldBudget()).isEqualTo(2);
        // exactly one database's worth is the least accepted
        assertThat(new ConfigFixture(tmp).load("held-memory: 224KiB\n").heldMemory().heldBudget()).isEqualTo(1);
        // the largest size that fits: a budget with no practical bound, not an overflow
        assertThat(new ConfigFixture(tmp).load("held-memory: 9000000TB\n").heldMemory().heldBudget())
                .isEqualTo(Integer.MAX_VALUE);
    }

    @Test
    void refusesHostileValuesAtTheirLineSayingWhatToWrite() {
        for (String bad : List.of("-1", "-448MiB", "0", "0MiB", "1", "100KiB", "229375", "lots", "12XB", "1..5GB", "''",
                "99999999999TiB", "9223372036854775808", "100000000000000000000000000000",
                "'" + "9".repeat(60) + "'", ".", "1e9")) {
            KeelException e = error("dbs: []\n\nheld-memory: " + bad + "\n");
            assertThat(e.subject()).as(bad).endsWith("keel.yml:3");
            assertThat(e.getMessage()).as(bad).contains("held-memory");
            assertThat(e.hint()).as(bad).contains("224KiB").contains("448MiB");
        }
        for (String notScalar : List.of("[1GiB]", "{a: 1}", "\n  - 1GiB")) {
            KeelException e = error("dbs: []\n\nheld-memory: " + notScalar + "\n");
            assertThat(e.subject()).as(notScalar).matches(".*keel.yml:[34]");
            assertThat(e.getMessage()).as(notScalar).contains("held-memory");
        }
        assertThat(error("held-memory: 100KiB\n").getMessage()).contains("102400").contains("one database");
        assertThat(error("held-memory: -1\n").getMessage()).contains("negative");
        assertThat(error("held-memory: 99999999999TiB\n").getMessage()).contains("too large");
    }

    @Test
    void aMisspelledKeyIsSuggested() {
        assertThat(error("held-memroy: 1GiB\n").getMessage()).contains("did you mean 'held-memory'?");
    }

    @Test
    void nullMeansTheDefault() {
        assertThat(new ConfigFixture(tmp).load("held-memory:\n").heldMemory()).isEqualTo(HeldMemory.DEFAULT);
    }
}

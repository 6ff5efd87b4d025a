package dev.keel.cli.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EnvExpanderTest {
    private static final Map<String, String> ENV = Map.of("X", "1", "LONG_NAME_2", "v", "EMPTY", "");

    /** Expected values are what Go's os.Expand returns for the same input. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "a $X b|a 1 b", "${X}y|1y", "$Xy|''", "$LONG_NAME_2.|v.", "end $|end $", "$ x|$ x", "${}|''",
            "a${X|aX", "$1|''", "$$|''", "${1}|''", "${X:-d}|''", "$EMPTY!|!", "$-x|x", "no dollars|no dollars",
            "p$X$X|p11", "$UNSET|''", "${X}}|1}"})
    void matchesGoOsExpand(String in, String out) {
        assertThat(EnvExpander.expand(in, ENV).text()).isEqualTo(out);
    }

    @Test
    void remembersUnsetVariablesByLine() {
        EnvExpander.Result r = EnvExpander.expand("a: $X\nb: $NOPE\nc: ${ALSO} $EMPTY $NOPE2\n", ENV);
        assertThat(r.unsetOn(1)).isEmpty();
        assertThat(r.unsetOn(2)).containsExactly("NOPE");
        assertThat(r.unsetOn(3)).isEqualTo(List.of("ALSO", "NOPE2"));
        assertThat(r.text()).isEqualTo("a: 1\nb: \nc:   \n");
    }
}

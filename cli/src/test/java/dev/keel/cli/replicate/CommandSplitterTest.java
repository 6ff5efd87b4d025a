package dev.keel.cli.replicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.KeelException;
import java.util.List;
import org.junit.jupiter.api.Test;

class CommandSplitterTest {
    @Test
    void splitsLikeAShell() {
        assertThat(CommandSplitter.split("myapp --port 8080")).containsExactly("myapp", "--port", "8080");
        assertThat(CommandSplitter.split("  sh -c 'echo \"hi there\"; exit 3'  ")).containsExactly("sh", "-c", "echo \"hi there\"; exit 3");
        assertThat(CommandSplitter.split("a\\ b \"c d\" e\"f\"")).containsExactly("a b", "c d", "ef");
        assertThat(CommandSplitter.split("x ''")).isEqualTo(List.of("x", ""));
    }

    @Test
    void unterminatedQuoteOrEmptyCommandIsAUsageError() {
        assertThatThrownBy(() -> CommandSplitter.split("sh -c 'oops")).isInstanceOf(KeelException.class).hasMessageContaining("unterminated");
        assertThatThrownBy(() -> CommandSplitter.split("   ")).isInstanceOf(KeelException.class).hasMessageContaining("empty");
    }
}

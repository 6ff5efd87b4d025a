package dev.keel.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DurableFilesTest {
    @TempDir
    Path dir;

    @Test
    void replacesTheTargetAndLeavesNoTempFile() throws IOException {
        Path target = dir.resolve("sub/state");
        Path temp = dir.resolve("sub/state.tmp");
        DurableFiles.replace(target, temp, out -> out.write("one".getBytes(StandardCharsets.UTF_8)));
        DurableFiles.replace(target, temp, out -> out.write("two".getBytes(StandardCharsets.UTF_8)));
        assertThat(target).hasContent("two");
        assertThat(temp).doesNotExist();
    }

    @Test
    void aFailedWriteKeepsTheOldFileAndRemovesTheTemp() throws IOException {
        Path target = dir.resolve("state");
        Path temp = dir.resolve("state.tmp");
        Files.writeString(target, "old");
        assertThatThrownBy(() -> DurableFiles.replace(target, temp, out -> {
            out.write("half".getBytes(StandardCharsets.UTF_8));
            throw new IOException("No space left on device");
        })).hasMessageContaining("No space left");
        assertThat(target).hasContent("old");
        assertThat(temp).doesNotExist();
    }

    @Test
    void aLeftoverTempFromACrashIsReplacedNotAppendedTo() throws IOException {
        Path target = dir.resolve("state");
        Path temp = dir.resolve("state.tmp");
        Files.writeString(temp, "leftover from a crash, longer than the new content");
        DurableFiles.replace(target, temp, out -> out.write("new".getBytes(StandardCharsets.UTF_8)));
        assertThat(target).hasContent("new");
    }

    @Test
    void aLinkLeftAtTheTempNameIsNotFollowed() throws IOException {
        Path elsewhere = dir.resolve("elsewhere");
        Files.writeString(elsewhere, "keep me");
        Path temp = dir.resolve("state.tmp");
        Files.createSymbolicLink(temp, elsewhere);
        DurableFiles.replace(dir.resolve("state"), temp, out -> out.write("new".getBytes(StandardCharsets.UTF_8)));
        assertThat(elsewhere).hasContent("keep me");
        assertThat(dir.resolve("state")).hasContent("new");
    }
}

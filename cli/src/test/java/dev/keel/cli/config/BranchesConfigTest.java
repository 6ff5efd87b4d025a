package dev.keel.cli.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BranchesConfigTest {
    @TempDir
    Path dir;
    ConfigFixture fx;

    @BeforeEach
    void setUp() {
        fx = new ConfigFixture(dir);
    }

    @Test
    void branchesListsExistingDirectoriesRelativeToTheWorkingDirectory() throws Exception {
        Files.createDirectories(fx.work.resolve("branches"));
        Path abs = Files.createDirectories(dir.resolve("more"));
        KeelConfig c = fx.load("branches:\n  - branches\n  - " + abs + "\n  - " + abs + "\n");
        assertThat(c.branches()).containsExactly(fx.work.resolve("branches"), abs);
        assertThat(fx.load("dbs: []\n").branches()).isEmpty();
    }

    @Test
    void aMissingOrNonDirectoryEntryIsABadInputNamingTheLine() throws Exception {
        KeelException e = catchThrowableOfType(KeelException.class, () -> fx.load("addr: ':9090'\nbranches:\n  - nope\n"));
        assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT);
        assertThat(e.getMessage()).contains("branches[0] 'nope' does not exist");
        assertThat(e.subject()).endsWith("keel.yml:3");
        Files.writeString(fx.work.resolve("file"), "x");
        e = catchThrowableOfType(KeelException.class, () -> fx.load("branches:\n  - file\n"));
        assertThat(e.getMessage()).contains("is not a directory");
        e = catchThrowableOfType(KeelException.class, () -> fx.load("branches: somewhere\n"));
        assertThat(e.getMessage()).contains("branches should be a list of strings");
        e = catchThrowableOfType(KeelException.class, () -> fx.load("branchez:\n  - x\n"));
        assertThat(e.getMessage()).contains("unknown key 'branchez'", "did you mean 'branches'");
    }
}

package dev.keel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the real ./keel launcher (the jar is packaged before integration tests run). */
class LauncherIT {
    static final Path ROOT = Path.of(System.getProperty("keel.tools.dir", "../.tools")).getParent();

    record Result(int status, String out, String err) {
    }

    static Result keel(String... args) throws Exception {
        var command = new java.util.ArrayList<>(List.of(ROOT.resolve("keel").toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        return new Result(p.waitFor(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }

    @Test
    void printsTheVersion() throws Exception {
        Result r = keel("version");
        assertThat(r.status()).isZero();
        assertThat(r.out()).startsWith("keel ");
        assertThat(r.err()).isEmpty();
    }

    @Test
    void errorsReachStderrWithTheirExitStatus(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("keel.yml");
        Files.writeString(config, "dbs:\n  - pth: /tmp/x.db\n");
        Result r = keel("databases", "-config", config.toString());
        assertThat(r.status()).isEqualTo(65);
        assertThat(r.err()).contains("error: " + config + ":2").contains("pth").contains("hint:");
    }
}

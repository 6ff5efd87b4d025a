package dev.keel.cli.startup;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.cli.Keel;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.io.InputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.util.LibraryLoaderUtil;

/** The launcher's training run: every command it runs succeeds, and the native libraries it unpacks load. */
class TrainStartupCommandTest {
    @TempDir
    Path dir;

    @Test
    void runsTheWorkloadAndUnpacksLoadableNativeLibraries() throws Exception {
        Path natives = dir.resolve("native");
        StringWriter err = new StringWriter();
        int status = Keel.commandLine(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true))
                .execute("train-startup", "--native-dir", natives.toString());
        assertThat(status).as(err.toString()).isZero();
        Path sqlite = natives.resolve(System.mapLibraryName("sqlitejdbc"));
        Path lz4 = natives.resolve(System.mapLibraryName("lz4-java"));
        assertThat(sqlite).isRegularFile();
        assertThat(lz4).isRegularFile();
        assertThat(Files.size(sqlite)).isPositive();
        try (var files = Files.list(natives)) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
        }
        // byte for byte the libraries this build's drivers would extract for this platform
        String resource = "/" + LibraryLoaderUtil.getNativeLibResourcePath() + "/" + LibraryLoaderUtil.getNativeLibName();
        try (InputStream in = getClass().getResourceAsStream(resource.replace("//", "/"))) {
            assertThat(in).as(resource).isNotNull();
            assertThat(Files.readAllBytes(sqlite)).isEqualTo(in.readAllBytes());
        }
        System.load(lz4.toAbsolutePath().toString()); // throws if it is not a loadable library
    }

    @Test
    void isHiddenFromHelp() {
        StringWriter out = new StringWriter();
        Keel.commandLine(new PrintWriter(out, true), new PrintWriter(new StringWriter(), true)).execute("help");
        assertThat(out.toString()).contains("restore").doesNotContain("train-startup");
    }
}

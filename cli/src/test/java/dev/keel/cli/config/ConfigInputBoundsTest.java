package dev.keel.cli.config;

import static dev.keel.cli.KeelCliTest.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.keel.cli.KeelCliTest.Run;
import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Whatever path is given as the config file, reading it is bounded in size and time and fails as BAD_INPUT naming it. */
class ConfigInputBoundsTest {
    @TempDir
    Path tmp;

    private static void assertNotAConfig(KeelException e, Path file) {
        assertThat(e).isNotNull();
        assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT);
        assertThat(e.subject()).startsWith(file.toString());
        assertThat(e.getMessage()).startsWith("not a config file");
        assertThat(e.hint()).isNotBlank();
    }

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void devZeroIsNotAConfigFile() {
        Run r = run("databases", "-config", "/dev/zero");
        assertThat(r.status()).isEqualTo(65);
        assertThat(r.err()).startsWith("error: /dev/zero: not a config file: it is larger than 1 MiB").contains("hint: ")
                .doesNotContain("OutOfMemoryError").doesNotContain("\tat ");
    }

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void aHugeFileFailsAtOnceWithoutReadingIt() throws Exception {
        Path big = tmp.resolve("big.yml");
        try (RandomAccessFile f = new RandomAccessFile(big.toFile(), "rw")) {
            f.setLength(2L << 30); // sparse: 2 GiB that cost no disk
        }
        ConfigFixture fx = new ConfigFixture(tmp);
        assertNotAConfig(catchThrowableOfType(KeelException.class, () -> new ConfigLoader(fx.env(Map.of())).load(big.toString(), true)), big);
    }

    @Test
    void justUnderTheLimitIsStillRead() throws Exception {
        String yaml = "dbs: []\n" + "# padding\n".repeat((ConfigFileReader.MAX_BYTES - 100) / 10);
        Path file = Files.writeString(tmp.resolve("padded.yml"), yaml);
        ConfigFixture fx = new ConfigFixture(tmp);
        assertThat(new ConfigLoader(fx.env(Map.of())).load(file.toString(), true).databases()).isEmpty();
        Files.writeString(file, yaml + "#".repeat(200));
        assertNotAConfig(catchThrowableOfType(KeelException.class, () -> new ConfigLoader(fx.env(Map.of())).load(file.toString(), true)), file);
    }

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void aPipeNobodyWritesTimesOutAndOneThatNeverEndsIsBounded() throws Exception {
        Path fifo = tmp.resolve("config.fifo");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assertThat(mkfifo.waitFor()).isZero();
        ConfigFixture fx = new ConfigFixture(tmp);
        ConfigLoader loader = new ConfigLoader(fx.env(Map.of()), Duration.ofMillis(300));
        long start = System.nanoTime();
        KeelException silent = catchThrowableOfType(KeelException.class, () -> loader.load(fifo.toString(), true));
        assertNotAConfig(silent, fifo);
        assertThat(silent.getMessage()).contains("did not end within 300ms");
        assertThat(System.nanoTime() - start).isLessThan(TimeUnit.SECONDS.toNanos(5));
        try (OutputStream unblock = Files.newOutputStream(fifo)) {
            unblock.flush(); // lets the reader left waiting in open() finish
        }

        Thread endless = new Thread(() -> {
            try (OutputStream out = Files.newOutputStream(fifo)) {
                byte[] line = "# more\n".getBytes();
                while (true) out.write(line);
            } catch (Exception stopped) {
                // the reader closed the pipe
            }
        });
        endless.setDaemon(true);
        endless.start();
        assertNotAConfig(catchThrowableOfType(KeelException.class, () -> new ConfigLoader(fx.env(Map.of())).load(fifo.toString(), true)), fifo);
    }

    @Test
    void aPipeWithAConfigInItIsRead() throws Exception {
        Path fifo = tmp.resolve("ok.fifo");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
        Thread writer = new Thread(() -> {
            try {
                Files.writeString(fifo, "dbs:\n  - path: /a.db\n");
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        writer.start();
        ConfigFixture fx = new ConfigFixture(tmp);
        assertThat(new ConfigLoader(fx.env(Map.of())).load(fifo.toString(), true).databases()).hasSize(1);
        writer.join();
    }

    @Test
    void expansionCannotInflateASmallFileBeyondTheLimit() {
        ConfigFixture fx = new ConfigFixture(tmp);
        String yaml = "exec: \"" + "$BIG".repeat(5_000) + "\"\n";
        KeelException e = catchThrowableOfType(KeelException.class, () -> fx.load(yaml, Map.of("BIG", "x".repeat(100_000)), true));
        assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT);
        assertThat(e.subject()).endsWith("keel.yml:1");
        assertThat(e.getMessage()).contains("larger than 1 MiB once $VAR references are expanded");
        assertThat(e.hint()).contains("-no-expand-env");
    }

    @Test
    void binaryDataIsNotAConfigFile() throws Exception {
        Path file = Files.write(tmp.resolve("bin.yml"), new byte[]{'d', 'b', 's', ':', '\n', 0, 1, 2});
        ConfigFixture fx = new ConfigFixture(tmp);
        KeelException e = catchThrowableOfType(KeelException.class, () -> new ConfigLoader(fx.env(Map.of())).load(file.toString(), true));
        assertNotAConfig(e, file);
        assertThat(e.subject()).isEqualTo(file + ":2");
    }
}

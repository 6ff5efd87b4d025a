package dev.keel.storage.gcs;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.KeelException;
import dev.keel.replication.spi.ReplicaStorage;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A hostile GOOGLE_APPLICATION_CREDENTIALS is refused at once, naming the file, never read without bound. */
class GcsCredentialsFileTest {
    private static final ReplicaStorage.Gcs STORAGE = new ReplicaStorage.Gcs("bkt", "db");

    @TempDir
    Path dir;

    @Test
    @Timeout(20)
    void aDeviceIsRefusedWithoutReadingIt() {
        assertRefused("/dev/zero", "is not a regular file");
    }

    @Test
    @Timeout(20)
    void aFifoIsRefusedWithoutWaitingForAWriter() throws Exception {
        Path fifo = dir.resolve("key.json");
        new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor();
        assertRefused(fifo.toString(), "is not a regular file");
    }

    @Test
    @Timeout(20)
    void aHugeSparseFileIsRefusedBeforeItIsRead() throws Exception {
        Path huge = dir.resolve("huge.json");
        try (RandomAccessFile f = new RandomAccessFile(huge.toFile(), "rw")) {
            f.setLength(2L << 30);
        }
        assertRefused(huge.toString(), "at most 65536 bytes");
    }

    @Test
    void aFileThatIsNotAKeyIsRefusedWithoutQuotingIt() throws Exception {
        Path bad = Files.writeString(dir.resolve("bad.json"), "{\"private_key\": \"SECRET-MATERIAL\"");
        assertThatThrownBy(() -> GcsClientFactory.create(STORAGE, GcsOptions.defaults(), name -> name.equals(GcsClientFactory.CREDENTIALS_FILE) ? bad.toString() : null))
                .isInstanceOf(KeelException.class)
                .hasMessageContaining(bad.toString())
                .hasMessageNotContaining("SECRET-MATERIAL");
    }

    private static void assertRefused(String file, String why) {
        assertThatThrownBy(() -> GcsClientFactory.create(STORAGE, GcsOptions.defaults(), name -> name.equals(GcsClientFactory.CREDENTIALS_FILE) ? file : null))
                .isInstanceOf(KeelException.class)
                .hasMessageContaining(file)
                .hasMessageContaining(why);
    }
}

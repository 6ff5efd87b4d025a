package dev.keel.replication.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.replication.api.Generation;
import dev.keel.replication.api.Position;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local record of a replica's acknowledged position, overwritten in place at each upload: a
 * shorter record leaves nothing of a longer one behind, a torn or foreign record reads as none (the
 * replica is then listed), and a record written by an older version (replaced whole, no CRC) still reads.
 */
class AcknowledgedPositionTest {
    private static final Generation GEN = new Generation("0123456789abcdef");

    @TempDir
    Path meta;

    @Test
    void aRecordReadsBackAfterEachOverwriteInPlace() throws Exception {
        AcknowledgedPosition record = new AcknowledgedPosition(meta, "s3 replica/1");
        assertThat(record.read()).as("no record yet").isNull();
        Position longOne = new Position(GEN, 4_000_000_000L, 4_000_000_000L);
        Position shortOne = new Position(GEN, 2, 32);
        record.write(longOne);
        assertThat(record.read()).isEqualTo(longOne);
        long inode = inode();
        record.write(shortOne);
        assertThat(record.read()).as("nothing of the longer record is left").isEqualTo(shortOne);
        assertThat(inode()).as("overwritten in place, not replaced by a new file").isEqualTo(inode);
        record.write(null);
        assertThat(record.read()).isNull();
        assertThat(Files.exists(file("s3 replica/1"))).isFalse();
    }

    @Test
    void aTornRecordReadsAsNone() throws Exception {
        AcknowledgedPosition record = new AcknowledgedPosition(meta, "local");
        record.write(new Position(GEN, 7, 4_128));
        byte[] bytes = Files.readAllBytes(file());
        String text = new String(bytes, StandardCharsets.US_ASCII);
        int digit = text.indexOf(" 4128 ") + 1;
        bytes[digit] = '9'; // what a crash that wrote half of a new record could leave: 9128
        Files.write(file(), bytes);
        assertThat(record.read()).as("a record whose CRC does not match").isNull();

        Files.writeString(file(), GEN.id() + " 7");
        assertThat(record.read()).as("too few fields").isNull();
        Files.write(file(), new byte[8192]);
        assertThat(record.read()).as("larger than any record").isNull();
    }

    @Test
    void aRecordOfAnOlderVersionStillReadsAndIsReplacedCleanly() throws Exception {
        AcknowledgedPosition record = new AcknowledgedPosition(meta, "local");
        Files.createDirectories(file().getParent());
        String old = GEN.id() + " 3000000000 2000000000\n" + " ".repeat(200);
        Files.writeString(file(), old, StandardCharsets.US_ASCII);
        assertThat(record.read()).isEqualTo(new Position(GEN, 3_000_000_000L, 2_000_000_000L));
        record.write(new Position(GEN, 3, 0));
        assertThat(record.read()).isEqualTo(new Position(GEN, 3, 0));
        assertThat(Files.size(file())).isEqualTo(AcknowledgedPosition.RECORD_BYTES);
    }

    private Path file() {
        return file("local");
    }

    private Path file(String replica) {
        return meta.resolve("replicas").resolve(AcknowledgedPosition.fileName(replica));
    }

    private long inode() throws Exception {
        return ((Number) Files.getAttribute(file("s3 replica/1"), "unix:ino")).longValue();
    }
}

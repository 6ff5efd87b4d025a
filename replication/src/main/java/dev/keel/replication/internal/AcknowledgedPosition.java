package dev.keel.replication.internal;

import dev.keel.replication.api.Generation;
import dev.keel.replication.api.Position;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32;

/**
 * Where a replica stood when the storage last acknowledged a write, kept in Keel's local state
 * ({@code <meta>/replicas/<name>}) so a restarted replicator knows it without listing the replica. It is
 * a hint, never the truth: a replica whose record equals the shadow WAL's end has nothing to upload and
 * costs no request; before the first upload the replica is listed as before. Not fsynced: a record lost
 * or behind after a crash only costs that listing.
 *
 * <p>Written after every upload, so it is overwritten in place rather than replaced by a new file: a
 * file created and renamed over the old one at each upload made the file system allocate and free an
 * inode per upload, which across a fleet cost more kernel time than the uploads' own writes. The record
 * is padded to a fixed width (nothing of a longer old one is left behind) and carries a CRC-32 of its
 * fields, so one torn by a crash reads as no record.
 */
final class AcknowledgedPosition {
    /** Wide enough for any record (16 + 2 x 19 digits + an 8-digit CRC and separators). */
    static final int RECORD_BYTES = 80;
    /** A larger file is not a record of Keel's. */
    private static final long MAX_BYTES = 4096;
    private final Path file;

    AcknowledgedPosition(Path metaDir, String replicaName) {
        this.file = metaDir.resolve("replicas").resolve(fileName(replicaName));
    }

    /** The recorded position, or null when there is none or it cannot be read. */
    Position read() {
        try {
            if (Files.size(file) > MAX_BYTES) return null;
            String[] f = Files.readString(file, StandardCharsets.US_ASCII).trim().split(" ");
            // Three fields: a record replaced whole (older versions); four: the last is the CRC of the others.
            if (f.length < 3 || f.length > 4 || !Generation.isValid(f[0])) return null;
            if (f.length == 4 && !f[3].equals(crc(f[0] + " " + f[1] + " " + f[2]))) return null;
            return new Position(new Generation(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2]));
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException | RuntimeException e) {
            return null; // a torn or foreign file: list the replica instead
        }
    }

    /** Records {@code at}, or removes the record when null. */
    void write(Position at) throws IOException {
        if (at == null) {
            Files.deleteIfExists(file);
            return;
        }
        String fields = at.generation().id() + " " + at.index() + " " + at.offset();
        byte[] record = (fields + " " + crc(fields) + "\n").getBytes(StandardCharsets.US_ASCII);
        ByteBuffer padded = ByteBuffer.allocate(Math.max(RECORD_BYTES, record.length));
        padded.put(record);
        while (padded.hasRemaining()) padded.put((byte) ' ');
        padded.flip();
        try (FileChannel ch = open()) {
            while (padded.hasRemaining()) ch.write(padded, padded.position());
            if (ch.size() > padded.limit()) ch.truncate(padded.limit()); // a record written by an older version
        }
    }

    private FileChannel open() throws IOException {
        try {
            return FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        } catch (NoSuchFileException e) {
            Files.createDirectories(file.getParent());
            return FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        }
    }

    private static String crc(String fields) {
        CRC32 crc = new CRC32();
        crc.update(fields.getBytes(StandardCharsets.US_ASCII));
        return Long.toHexString(crc.getValue());
    }

    /** Replica names are the config's; anything but [A-Za-z0-9._-] is hex-escaped so a name is one file name. */
    static String fileName(String name) {
        StringBuilder out = new StringBuilder();
        for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            boolean plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_'
                    || (c == '.' && out.length() > 0);
            out.append(plain ? String.valueOf(c) : String.format("%%%02x", b & 0xff));
        }
        return out.length() == 0 ? "%" : out.toString();
    }
}

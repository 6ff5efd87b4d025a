package dev.keel.replication.internal;

import dev.keel.core.DurableFiles;
import dev.keel.format.WalChecksum;
import dev.keel.format.WalFormatException;
import dev.keel.format.WalHeader;
import dev.keel.format.WalScanner;
import dev.keel.replication.api.Generation;
import dev.keel.replication.api.ReplicaLayout;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The local copy of a database's committed WAL, kept in {@code .<db>-keel/} so that replicas can upload
 * it at their own pace even after SQLite checkpointed the real WAL:
 * <pre>
 * generation                                   the current generation's name
 * generations/&lt;generation&gt;/wal/&lt;index&gt;.wal     WAL index &lt;index&gt;, byte for byte, up to a commit frame
 * tmp/                                         compressed uploads being prepared
 * </pre>
 * Generation and index files are written durably (except a first generation's, see
 * {@link #startGeneration}); appends are fsynced when the monitor says (before a
 * replica uploads them, see {@link ShadowFollower#makeDurable}). A torn append left by a crash is cut
 * off by {@link #recover}.
 */
final class ShadowWal {
    private static final Pattern INDEX_FILE = Pattern.compile("[0-9a-f]{8}\\.wal");
    private final Path dir;
    private final WriteGate gate;

    /** What a shadow WAL index file holds: its header, where its committed bytes end, and the last frame. */
    record Tail(WalHeader header, byte[] headerBytes, long end, WalChecksum checksum, byte[] lastFrame) {
    }

    ShadowWal(Path dir, WriteGate gate) {
        this.dir = dir;
        this.gate = gate;
    }

    Path dir() {
        return dir;
    }

    /** The directory for temp files; whoever writes one creates it (an upload spills rarely: no mkdir per upload). */
    Path tempDir() {
        return dir.resolve("tmp");
    }

    Path indexFile(Generation generation, long index) {
        return walDir(generation).resolve(ReplicaLayout.hex(index) + ".wal");
    }

    private Path walDir(Generation generation) {
        return dir.resolve("generations").resolve(generation.id()).resolve("wal");
    }

    /** The generation named in the {@code generation} file, if it is well formed. */
    Optional<Generation> currentGeneration() throws IOException {
        try {
            String name = Files.readString(dir.resolve("generation"), StandardCharsets.US_ASCII).trim();
            return Generation.isValid(name) ? Optional.of(new Generation(name)) : Optional.empty();
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    /**
     * Starts a generation: creates its first index file from {@code walHeader}, then names it current.
     * Replacing a generation is durable, in that order, so a power cut never leaves the old name over the
     * new files or loses a new generation that was asked for. The first generation of a state directory
     * is written without fsync (two fewer per database at a fleet's first start): lost or torn in a power
     * cut, the name or the index reads as no shadow, and a new generation starts; what a replica holds of
     * this one is left behind, never continued. Every upload still fsyncs the index it reads first.
     */
    void startGeneration(Generation generation, long index, byte[] walHeader) throws IOException {
        Path current = dir.resolve("generation");
        if (Files.exists(current)) {
            startIndex(generation, index, walHeader);
            writeDurably(current, (generation.id() + "\n").getBytes(StandardCharsets.US_ASCII));
            return;
        }
        Files.createDirectories(walDir(generation));
        write(indexFile(generation, index), walHeader);
        write(current, (generation.id() + "\n").getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * Creates the file for a new WAL index holding just the WAL header, durably (its name included): after
     * a power cut the latest index present says where the shadow stands, and one lost here would let a WAL
     * that lost its own restart continue the older index while a replica already holds the newer one.
     */
    void startIndex(Generation generation, long index, byte[] walHeader) throws IOException {
        Files.createDirectories(walDir(generation));
        writeDurably(indexFile(generation, index), walHeader);
    }

    /** Indexes present for a generation, ascending. */
    List<Long> indexes(Generation generation) throws IOException {
        List<Long> out = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(walDir(generation))) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                if (INDEX_FILE.matcher(name).matches()) out.add(Long.parseLong(name.substring(0, 8), 16));
            }
        } catch (NoSuchFileException e) {
            return out;
        }
        out.sort(Comparator.naturalOrder());
        return out;
    }

    /** Generations with a directory here. */
    List<Generation> generations() throws IOException {
        List<Generation> out = new ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(dir.resolve("generations"))) {
            for (Path d : dirs) {
                String name = d.getFileName().toString();
                if (Generation.isValid(name)) out.add(new Generation(name));
            }
        } catch (NoSuchFileException e) {
            return out;
        }
        return out;
    }

    /**
     * Reads an index file back after a restart: verifies the header and every frame, and cuts off
     * anything after the last valid commit frame (an append a crash interrupted). Empty when the file
     * is missing or has no valid header.
     */
    Optional<Tail> recover(Generation generation, long index) throws IOException {
        Path file = indexFile(generation, index);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            byte[] hb = new byte[WalHeader.SIZE];
            if (WalScanner.readFully(ch, hb, 0) < hb.length) return Optional.empty();
            WalHeader header;
            try {
                header = WalHeader.parse(hb);
            } catch (WalFormatException e) {
                return Optional.empty();
            }
            WalScanner.Committed c = WalScanner.scanCommitted(ch, header, WalHeader.SIZE, header.checksum());
            if (ch.size() > c.endOffset()) {
                ch.truncate(c.endOffset());
                ch.force(true);
            }
            byte[] last = null;
            if (c.endOffset() > WalHeader.SIZE) {
                last = new byte[header.frameSize()];
                WalScanner.readFully(ch, last, c.endOffset() - header.frameSize());
            }
            return Optional.of(new Tail(header, hb, c.endOffset(), c.checksum(), last));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    /** Asked after the bytes are copied and before they count: were they still the frames the scan accepted? */
    @FunctionalInterface
    interface CopyCheck {
        boolean stillValid() throws IOException;
    }

    /**
     * Appends {@code length} bytes read from {@code wal} at {@code from} to an index file that currently
     * ends at {@code expectedEnd}, without fsync (the caller calls {@link #force} when the bytes must be
     * durable, outside the lock it holds). On failure, or when {@code check} says the WAL changed
     * under the copy (false is returned then), the file is cut back to {@code expectedEnd}, so a
     * half-written or stale append never counts.
     */
    boolean append(Generation generation, long index, long expectedEnd, FileChannel wal, long from, long length, CopyCheck check)
            throws IOException {
        Path file = indexFile(generation, index);
        gate.beforeWrite(file, length);
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.WRITE)) {
            if (out.size() != expectedEnd) {
                if (out.size() < expectedEnd) throw new IOException("shadow WAL " + file + " is shorter than expected");
                out.truncate(expectedEnd);
            }
            try {
                long done = 0;
                while (done < length) {
                    long n = wal.transferTo(from + done, length - done, out.position(expectedEnd + done));
                    if (n <= 0) throw new IOException("WAL ended while copying frames to the shadow WAL");
                    done += n;
                }
                if (!check.stillValid()) {
                    out.truncate(expectedEnd);
                    return false;
                }
                return true;
            } catch (IOException e) {
                try {
                    out.truncate(expectedEnd);
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
                throw e;
            }
        }
    }

    /** Makes what was appended to an index file durable. */
    void force(Generation generation, long index) throws IOException {
        try (FileChannel out = FileChannel.open(indexFile(generation, index), StandardOpenOption.WRITE)) {
            out.force(false);
        }
    }

    /** Current length of an index file; -1 when it does not exist. */
    long length(Generation generation, long index) throws IOException {
        try {
            return Files.size(indexFile(generation, index));
        } catch (NoSuchFileException e) {
            return -1;
        }
    }

    /** Opens an index file for reading; the caller reads only up to a length it knows is committed. */
    FileChannel openForRead(Generation generation, long index) throws IOException {
        return FileChannel.open(indexFile(generation, index), StandardOpenOption.READ);
    }

    /** Deletes index files below {@code index}: every replica has uploaded them. */
    void deleteIndexesBelow(Generation generation, long index) throws IOException {
        for (long i : indexes(generation)) {
            if (i < index) Files.deleteIfExists(indexFile(generation, i));
        }
    }

    /** Deletes the local state of every generation not in {@code keep}. */
    void deleteGenerationsExcept(Collection<Generation> keep) throws IOException {
        for (Generation g : generations()) {
            if (keep.contains(g)) continue;
            Path gdir = dir.resolve("generations").resolve(g.id());
            try (Stream<Path> walk = Files.walk(gdir)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            }
        }
    }

    /** Removes temp files a crash left behind. */
    void clearTemp() throws IOException {
        Path tmp = dir.resolve("tmp");
        if (!Files.isDirectory(tmp)) return;
        try (Stream<Path> files = Files.list(tmp)) {
            for (Path p : files.toList()) Files.deleteIfExists(p);
        }
    }

    private void write(Path target, byte[] bytes) throws IOException {
        gate.beforeWrite(target, bytes.length);
        Files.write(target, bytes);
    }

    private void writeDurably(Path target, byte[] bytes) throws IOException {
        gate.beforeWrite(target, bytes.length);
        DurableFiles.replace(target, target.resolveSibling(target.getFileName() + ".tmp"), out -> out.write(bytes));
    }
}

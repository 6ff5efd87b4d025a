package dev.keel.fleet.branch;

import dev.keel.replication.api.Generation;
import dev.keel.replication.api.Position;
import dev.keel.replication.restore.Restorer;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The small file beside a branch ({@code <name>.keel-branch}) that makes it one: Java properties,
 * UTF-8, one fact per line, readable and editable by people. It is read with a size limit and every
 * defect is reported as a {@link Malformed} naming the file, so one bad sidecar never stops a listing.
 */
final class Sidecar {
    static final String SUFFIX = ".keel-branch";
    /** Far more than any sidecar Keel writes (a few hundred bytes); a bigger file is not one of ours. */
    static final int MAX_BYTES = 64 * 1024;
    private static final String FORMAT = "1";

    private Sidecar() {
    }

    /** A sidecar that cannot be read or understood. */
    static final class Malformed extends Exception {
        private static final long serialVersionUID = 1L;

        Malformed(String message) {
            super(message);
        }
    }

    /** The text Keel writes for {@code b}. */
    static String format(Branch b) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("keel-branch", FORMAT);
        p.put("database", b.path().getFileName().toString());
        p.put("created", b.created().toString());
        p.put("expires", b.expires().toString());
        p.put("creator", b.creator());
        p.put("source", b.source());
        if (b.origin() instanceof BranchOrigin.Live live) {
            p.put("source.kind", "database");
            p.put("copied-at", live.copiedAt().toString());
            if (live.journalMode() != null) p.put("journal-mode", live.journalMode());
        } else if (b.origin() instanceof BranchOrigin.Replica r) {
            p.put("source.kind", "replica");
            p.put("target", r.target());
            p.put("generation", r.position().generation().id());
            p.put("snapshot-index", String.format("%08x", r.snapshotIndex()));
            p.put("index", String.format("%08x", r.position().index()));
            p.put("offset", String.format("%08x", r.position().offset()));
        }
        if (b.scrub() != null) p.put("scrub", b.scrub());
        p.put("schema-only", Boolean.toString(b.schemaOnly()));
        StringBuilder out = new StringBuilder("# Keel branch: a throwaway copy of a database. 'keel branch reap' deletes it\n"
                + "# (with its -wal, -shm and -journal files) once 'expires' has passed; 'keel branch extend' moves that.\n");
        p.forEach((k, v) -> out.append(k).append('=').append(escape(v)).append('\n'));
        return out.toString();
    }

    /** Writes the sidecar of {@code b} durably: temp file, fsync, rename (replacing an older one), directory fsync. */
    static void write(Branch b) throws IOException {
        Path file = b.sidecar();
        Path temp = file.resolveSibling("." + file.getFileName() + "-"
                + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()) + ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ch.write(StandardCharsets.UTF_8.encode(format(b)));
                ch.force(true);
            }
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            dev.keel.core.DurableFiles.fsyncDirectory(file.getParent());
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** Reads the sidecar {@code file} of the branch {@code db}. */
    static Branch read(Path file, Path db) throws Malformed, IOException {
        if (Files.isSymbolicLink(file)) throw new Malformed("is a symbolic link, not a sidecar Keel wrote");
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) throw new Malformed("is not a regular file");
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
            bytes = in.readNBytes(MAX_BYTES + 1);
        }
        if (bytes.length > MAX_BYTES) throw new Malformed("is larger than " + MAX_BYTES / 1024 + " KiB");
        return parse(decode(bytes), db);
    }

    static Branch parse(String text, Path db) throws Malformed {
        Properties p = new Properties();
        try {
            p.load(new StringReader(text));
        } catch (IOException | IllegalArgumentException e) {
            throw new Malformed("cannot be read as properties: " + e.getMessage());
        }
        if (!FORMAT.equals(p.getProperty("keel-branch"))) {
            throw new Malformed("has no 'keel-branch=" + FORMAT + "' line (not written by this version of Keel)");
        }
        Instant created = instant(p, "created");
        Instant expires = instant(p, "expires");
        String kind = required(p, "source.kind");
        BranchOrigin origin = switch (kind) {
            case "database" -> new BranchOrigin.Live(instant(p, "copied-at"), p.getProperty("journal-mode"));
            case "replica" -> replica(p);
            default -> throw new Malformed("has an unknown source.kind '" + cut(kind) + "' (database or replica)");
        };
        return new Branch(db, created, expires, p.getProperty("creator"), required(p, "source"), origin,
                p.getProperty("scrub"), Boolean.parseBoolean(p.getProperty("schema-only")));
    }

    private static BranchOrigin replica(Properties p) throws Malformed {
        String generation = required(p, "generation");
        if (!Generation.isValid(generation)) throw new Malformed("has a bad generation '" + cut(generation) + "'");
        try {
            Position position = new Position(new Generation(generation), hex(p, "index"), hex(p, "offset"));
            return new BranchOrigin.Replica(required(p, "target"), hex(p, "snapshot-index"), position);
        } catch (IllegalArgumentException e) {
            throw new Malformed("has a bad position: " + e.getMessage());
        }
    }

    private static long hex(Properties p, String key) throws Malformed {
        String v = required(p, key);
        if (!v.matches("[0-9a-f]{1,8}")) throw new Malformed("has a bad " + key + " '" + cut(v) + "' (8 hex digits)");
        return Long.parseLong(v, 16);
    }

    private static Instant instant(Properties p, String key) throws Malformed {
        String v = required(p, key);
        try {
            return Instant.parse(v);
        } catch (DateTimeParseException e) {
            throw new Malformed("has a bad time for " + key + ": '" + cut(v) + "' (write e.g. 2030-01-01T00:00:00Z)");
        }
    }

    private static String required(Properties p, String key) throws Malformed {
        String v = p.getProperty(key);
        if (v == null || v.isBlank()) throw new Malformed("has no '" + key + "'");
        return v.strip();
    }

    private static String decode(byte[] bytes) throws Malformed {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new Malformed("is not UTF-8 text");
        }
    }

    /** A property value as {@link Properties#load(java.io.Reader)} reads it back unchanged. */
    private static String escape(String v) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\f' -> out.append("\\f");
                case ' ' -> out.append(i == 0 ? "\\ " : " ");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    private static String cut(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }
}

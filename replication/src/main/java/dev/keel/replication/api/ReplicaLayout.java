package dev.keel.replication.api;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Litestream 0.3's replica layout: how generations, snapshots and WAL segments are named under a
 * replica root. Keys use '/' and are relative to the root. Names are matched exactly (lowercase hex
 * only) because replica listings are untrusted input; anything else is ignored by callers.
 *
 * <pre>
 * generations/&lt;generation&gt;/snapshots/&lt;index&gt;.snapshot.lz4
 * generations/&lt;generation&gt;/wal/&lt;index&gt;_&lt;offset&gt;.wal.lz4
 * </pre>
 */
public final class ReplicaLayout {
    public static final String GENERATIONS = "generations";
    private static final Pattern SNAPSHOT = Pattern.compile("generations/([0-9a-f]{16})/snapshots/([0-9a-f]{8})\\.snapshot\\.lz4");
    private static final Pattern WAL_SEGMENT = Pattern.compile("generations/([0-9a-f]{16})/wal/([0-9a-f]{8})_([0-9a-f]{8})\\.wal\\.lz4");

    /**
     * An upload's temp file that an S3 server left when the upload was cut off (s3proxy's filesystem
     * store writes "key-UUID" and renames it to the key when the upload completes; a server killed
     * mid-upload leaves it, and lists it as an object).
     */
    private static final Pattern UPLOAD_LEFTOVER = Pattern.compile("(?:" + SNAPSHOT.pattern() + "|" + WAL_SEGMENT.pattern()
            + ")-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    private ReplicaLayout() {
    }

    /** 8 lowercase hex digits, as Litestream writes indexes and offsets. */
    public static String hex(long value) {
        return String.format("%08x", value);
    }

    public static String generationPrefix(Generation generation) {
        return GENERATIONS + "/" + generation.id() + "/";
    }

    public static String snapshotsPrefix(Generation generation) {
        return generationPrefix(generation) + "snapshots/";
    }

    public static String walPrefix(Generation generation) {
        return generationPrefix(generation) + "wal/";
    }

    public static String snapshotKey(Generation generation, long index) {
        return snapshotsPrefix(generation) + hex(index) + ".snapshot.lz4";
    }

    public static String walSegmentKey(Generation generation, long index, long offset) {
        return walPrefix(generation) + hex(index) + "_" + hex(offset) + ".wal.lz4";
    }

    /**
     * True for a snapshot or WAL segment key followed by "-UUID": the temp file of an upload that never
     * completed. The replicator counts an object only once the storage acknowledged it, and then
     * uploads the same bytes again under the exact key, so such a file never holds data a restore needs.
     */
    public static boolean isUploadLeftover(String key) {
        return UPLOAD_LEFTOVER.matcher(key).matches();
    }

    /** The snapshot a key names, if it is exactly a snapshot key. */
    public static Optional<SnapshotInfo> parseSnapshot(ObjectInfoLike object) {
        Matcher m = SNAPSHOT.matcher(object.key());
        if (!m.matches()) return Optional.empty();
        return Optional.of(new SnapshotInfo(new Generation(m.group(1)), Long.parseLong(m.group(2), 16),
                object.size(), object.lastModified()));
    }

    /** The WAL segment a key names, if it is exactly a WAL segment key. */
    public static Optional<WalSegmentInfo> parseWalSegment(ObjectInfoLike object) {
        Matcher m = WAL_SEGMENT.matcher(object.key());
        if (!m.matches()) return Optional.empty();
        return Optional.of(new WalSegmentInfo(new Generation(m.group(1)), Long.parseLong(m.group(2), 16),
                Long.parseLong(m.group(3), 16), object.size(), object.lastModified()));
    }

    /** What the layout needs to know of a stored object; implemented by the SPI's ObjectInfo. */
    public interface ObjectInfoLike {
        String key();

        long size();

        java.time.Instant lastModified();
    }
}

package dev.keel.replication.restore;

import dev.keel.format.Lz4;
import dev.keel.format.WalHeader;
import dev.keel.format.WalScanner;
import dev.keel.replication.api.Generation;
import dev.keel.replication.api.ReplicaLayout;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a Litestream-layout replica of a real SQLite database, the way a replicator would: each
 * transaction's new WAL frames become one LZ4 segment, a snapshot is the db file after a TRUNCATE
 * checkpoint (which also starts a new WAL index). Object timestamps are set from a test clock so
 * point-in-time restores are deterministic.
 */
final class TestReplica implements AutoCloseable {
    final Path db;
    final Path root;
    final Generation generation;
    private Connection conn;
    private long index;
    private long offset;
    private final int pageSize;
    private byte[] walHeader;
    private Instant clock = Instant.parse("2024-01-01T00:00:00Z");
    final List<String> segmentKeys = new ArrayList<>();

    TestReplica(Path dir, Generation generation) throws Exception {
        this(dir, generation, 0);
    }

    /** {@code pageSize}: the new database's page size (0: SQLite's default). */
    TestReplica(Path dir, Generation generation, int pageSize) throws Exception {
        this.db = dir.resolve("source.db");
        this.root = dir.resolve("replica");
        this.generation = generation;
        this.pageSize = pageSize;
        open();
        exec("CREATE TABLE IF NOT EXISTS t(id INTEGER PRIMARY KEY, v TEXT)");
        snapshot();
    }

    private void open() throws SQLException {
        conn = DriverManager.getConnection("jdbc:sqlite:" + db);
        try (Statement s = conn.createStatement()) {
            if (pageSize > 0) s.execute("PRAGMA page_size=" + pageSize); // only takes effect on a new database
            s.execute("PRAGMA journal_mode=WAL");
            s.execute("PRAGMA wal_autocheckpoint=0");
        }
    }

    Instant now() {
        return clock;
    }

    /** Advances the test clock; objects written afterwards carry the new time. */
    Instant tick() {
        clock = clock.plusSeconds(10);
        return clock;
    }

    /** Runs SQL as one transaction and ships its WAL frames as one segment. */
    void exec(String... sql) throws Exception {
        conn.setAutoCommit(false);
        try (Statement s = conn.createStatement()) {
            for (String q : sql) s.execute(q);
        }
        conn.commit();
        conn.setAutoCommit(true);
        shipWal();
    }

    /** Runs one statement that cannot be in a transaction (VACUUM) and ships its frames. */
    void execOutsideTransaction(String sql) throws Exception {
        try (Statement s = conn.createStatement()) {
            s.execute(sql);
        }
        shipWal();
    }

    void insert(int rows, int size) throws Exception {
        exec("WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < " + rows + ") "
                + "INSERT INTO t(v) SELECT hex(randomblob(" + size + ")) FROM n");
    }

    private void shipWal() throws IOException {
        Path wal = Path.of(db + "-wal");
        if (!Files.exists(wal)) return;
        try (FileChannel ch = FileChannel.open(wal, StandardOpenOption.READ)) {
            WalHeader header = WalScanner.readHeader(ch);
            if (header == null) return;
            byte[] headerBytes = new byte[WalHeader.SIZE];
            WalScanner.readFully(ch, headerBytes, 0);
            if (offset > 0 && !java.util.Arrays.equals(headerBytes, walHeader)) {
                // SQLite restarted the WAL (after a complete checkpoint): a replicator continues at the
                // next index, from the new header.
                index++;
                offset = 0;
            }
            walHeader = headerBytes;
            long start = Math.max(offset, WalHeader.SIZE);
            var committed = WalScanner.scanCommitted(ch, header, start,
                    WalScanner.checksumAt(ch, header, start));
            if (committed.endOffset() <= start) return;
            byte[] bytes = new byte[(int) (committed.endOffset() - offset)];
            WalScanner.readFully(ch, bytes, offset);
            put(ReplicaLayout.walSegmentKey(generation, index, offset), Lz4.compress(bytes));
            segmentKeys.add(ReplicaLayout.walSegmentKey(generation, index, offset));
            offset = committed.endOffset();
        }
    }

    /** Checkpoints, starts the next WAL index and writes its snapshot. */
    void snapshot() throws Exception {
        restartWal();
        // Like the engine, never replace a snapshot of the same index: the older one's timestamp
        // is what lets a restore reach the moments between the two.
        if (Files.exists(root.resolve(ReplicaLayout.snapshotKey(generation, index)))) return;
        put(ReplicaLayout.snapshotKey(generation, index), Lz4.compress(Files.readAllBytes(db)));
    }

    /**
     * A PASSIVE checkpoint: the WAL file stays, and the next transaction makes SQLite restart it from
     * the beginning with new salts, which {@link #shipWal} sees as the start of the next index.
     */
    void checkpointPassive() throws Exception {
        try (Statement s = conn.createStatement()) {
            s.execute("PRAGMA wal_checkpoint(PASSIVE)");
        }
    }

    /** Checkpoints (TRUNCATE) so the next transaction starts a new WAL index, without a snapshot. */
    void restartWal() throws Exception {
        // The same connection checkpoints and writes next, as a replicator's own write after its
        // checkpoint does: SQLite then restarts the WAL with salt-1 plus one. (A fresh connection's first
        // write after another's TRUNCATE would draw random salts, which replicators treat as a new
        // generation.) A TRUNCATE of an empty WAL would restart it again (salt-1 plus two for one index).
        if (offset == 0) return;
        try (Statement s = conn.createStatement()) {
            s.execute("PRAGMA wal_checkpoint(TRUNCATE)");
        }
        if (offset > 0) index++;
        offset = 0;
    }

    void put(String key, byte[] bytes) throws IOException {
        Path file = root.resolve(key);
        Files.createDirectories(file.getParent());
        Files.write(file, bytes);
        Files.setLastModifiedTime(file, FileTime.from(clock));
    }

    long index() {
        return index;
    }

    /** Every row of t, in id order, for comparisons. */
    static List<String> rows(Path db) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
             Statement s = c.createStatement();
             var rs = s.executeQuery("SELECT id, v FROM t ORDER BY id")) {
            while (rs.next()) out.add(rs.getLong(1) + ":" + rs.getString(2));
        }
        return out;
    }

    List<String> rows() throws SQLException {
        return rows(db);
    }

    @Override
    public void close() throws SQLException {
        conn.close();
    }
}

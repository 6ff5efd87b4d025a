package dev.keel.bench.restore;

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
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Writes a directory replica in Litestream 0.3's layout from a real SQLite database: a snapshot,
 * then each transaction's new WAL frames as one LZ4 segment; a TRUNCATE checkpoint starts the next
 * WAL index. What a replicator would upload, without waiting for sync intervals.
 */
final class BenchReplica implements AutoCloseable {
    final Path db;
    final Path root;
    final Generation generation = Generation.random();
    private Connection conn;
    private long index;
    private long offset;
    int segments;

    BenchReplica(Path db, Path root) throws SQLException {
        this.db = db;
        this.root = root;
        open();
    }

    private void open() throws SQLException {
        conn = DriverManager.getConnection("jdbc:sqlite:" + db);
        try (Statement s = conn.createStatement()) {
            s.execute("PRAGMA journal_mode=WAL");
            s.execute("PRAGMA wal_autocheckpoint=0");
            s.execute("PRAGMA synchronous=OFF");
        }
    }

    /** One transaction, shipped as one segment. */
    void transaction(String... sql) throws Exception {
        conn.setAutoCommit(false);
        try (Statement s = conn.createStatement()) {
            for (String q : sql) s.execute(q);
        }
        conn.commit();
        conn.setAutoCommit(true);
        ship();
    }

    /** Checkpoints everything and starts a new WAL index; with {@code snapshot}, uploads the db file for it. */
    void restart(boolean snapshot) throws Exception {
        try (Statement s = conn.createStatement()) {
            s.execute("PRAGMA wal_checkpoint(TRUNCATE)");
        }
        // The same connection writes on: SQLite then restarts the WAL with salt-1 plus one, which restore
        // checks between indexes (a reopened connection would pick a random salt, as another database would).
        if (offset > 0) index++;
        offset = 0;
        if (snapshot) put(ReplicaLayout.snapshotKey(generation, index), Files.readAllBytes(db));
    }

    private void ship() throws IOException {
        try (FileChannel ch = FileChannel.open(Path.of(db + "-wal"), StandardOpenOption.READ)) {
            WalHeader header = WalScanner.readHeader(ch);
            long start = Math.max(offset, WalHeader.SIZE);
            long end = WalScanner.scanCommitted(ch, header, start, WalScanner.checksumAt(ch, header, start)).endOffset();
            if (end <= start) return;
            byte[] bytes = new byte[(int) (end - offset)];
            WalScanner.readFully(ch, bytes, offset);
            put(ReplicaLayout.walSegmentKey(generation, index, offset), bytes);
            segments++;
            offset = end;
        }
    }

    private void put(String key, byte[] raw) throws IOException {
        Path file = root.resolve(key);
        Files.createDirectories(file.getParent());
        Files.write(file, Lz4.compress(raw));
    }

    @Override
    public void close() throws SQLException {
        conn.close();
    }
}

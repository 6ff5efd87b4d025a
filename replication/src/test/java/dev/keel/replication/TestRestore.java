package dev.keel.replication;

import dev.keel.format.Lz4;
import dev.keel.format.WalFrameReader;
import dev.keel.replication.api.Generation;
import dev.keel.replication.api.ReplicaLayout;
import dev.keel.replication.api.SnapshotInfo;
import dev.keel.replication.api.WalSegmentInfo;
import dev.keel.replication.file.FileReplicaClient;
import dev.keel.replication.spi.ObjectInfo;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A deliberately simple restore for tests, independent of the production restore: the generation with
 * the newest object, its latest snapshot, then every later WAL index replayed frame by frame (checksums
 * verified by {@link WalFrameReader}), one committed transaction at a time.
 */
public final class TestRestore {
    private TestRestore() {
    }

    public static Path restore(Path replicaDir, Path out) throws IOException {
        FileReplicaClient client = new FileReplicaClient(replicaDir);
        List<SnapshotInfo> snapshots = new ArrayList<>();
        List<WalSegmentInfo> segments = new ArrayList<>();
        Map<Generation, Instant> newest = new HashMap<>();
        for (ObjectInfo o : client.list("generations/")) {
            ReplicaLayout.parseSnapshot(o).ifPresent(s -> {
                snapshots.add(s);
                newest.merge(s.generation(), s.createdAt(), (a, b) -> a.isAfter(b) ? a : b);
            });
            ReplicaLayout.parseWalSegment(o).ifPresent(w -> {
                segments.add(w);
                newest.merge(w.generation(), w.createdAt(), (a, b) -> a.isAfter(b) ? a : b);
            });
        }
        Generation generation = newest.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
        SnapshotInfo snapshot = snapshots.stream().filter(s -> s.generation().equals(generation))
                .max(Comparator.comparingLong(SnapshotInfo::index)).orElseThrow(() -> new IOException("no snapshot"));
        TreeMap<Long, TreeMap<Long, WalSegmentInfo>> byIndex = new TreeMap<>();
        for (WalSegmentInfo w : segments) {
            if (w.generation().equals(generation) && w.index() >= snapshot.index()) {
                byIndex.computeIfAbsent(w.index(), k -> new TreeMap<>()).put(w.offset(), w);
            }
        }
        try (RandomAccessFile db = new RandomAccessFile(out.toFile(), "rw")) {
            db.setLength(0);
            try (InputStream in = Lz4.decompressing(client.open(snapshot.key()))) {
                byte[] buf = in.readAllBytes();
                db.write(buf);
            }
            long expectIndex = snapshot.index();
            for (var e : byIndex.entrySet()) {
                if (e.getKey() != expectIndex) throw new IOException("WAL index " + expectIndex + " is missing");
                expectIndex++;
                ByteArrayOutputStream wal = new ByteArrayOutputStream();
                for (WalSegmentInfo w : e.getValue().values()) {
                    if (w.offset() != wal.size()) {
                        throw new IOException("segment " + w.key() + " does not start where the previous ended (" + wal.size() + ")");
                    }
                    try (InputStream in = Lz4.decompressing(client.open(w.key()))) {
                        in.transferTo(wal);
                    }
                }
                apply(db, wal.toByteArray());
            }
        }
        return out;
    }

    private static void apply(RandomAccessFile db, byte[] wal) throws IOException {
        WalFrameReader reader = WalFrameReader.fromStart(new ByteArrayInputStream(wal));
        int pageSize = reader.header().pageSize();
        Map<Long, byte[]> pending = new HashMap<>();
        WalFrameReader.Frame f;
        while ((f = reader.next()) != null) {
            pending.put(f.pageNumber(), f.page());
            if (f.isCommit()) {
                for (var p : pending.entrySet()) {
                    db.seek((p.getKey() - 1) * pageSize);
                    db.write(p.getValue());
                }
                db.setLength(f.header().commitSize() * pageSize);
                pending.clear();
            }
        }
        if (!pending.isEmpty()) throw new IOException("WAL ends with an uncommitted transaction");
    }
}

package dev.keel.server;

import dev.keel.core.KeelException;
import dev.keel.core.Redactor;
import dev.keel.replication.api.Generation;
import dev.keel.replication.api.Position;
import dev.keel.replication.spi.ReplicationListener;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The server's picture of a running replicator, kept from the engine's events: every database with its
 * replicas, storage calls by kind, and when the loops last ran. The metrics, the status page and the
 * health checks read it; the engine only calls {@link ReplicationListener} methods, which return at once.
 * Every text that comes from an error passes through the redactor before it is kept.
 */
public final class FleetState implements ReplicationListener {
    private static final int MAX_ERROR_CHARS = 500;
    static final String STORAGE_HINT = "check that the storage is reachable and the credentials are right; "
            + "the WAL waits in the shadow WAL and is uploaded once it is";
    static final String LOCAL_HINT = "check the database file and the disk beside it; the log has the details";

    private final Redactor redactor;
    private final Map<Path, DatabaseState> databases = new ConcurrentHashMap<>();
    private final StorageCounts storage = new StorageCounts();
    private final AtomicLong lastTickNanos = new AtomicLong();
    private final AtomicLong ticks = new AtomicLong();
    private final Map<String, AtomicLong> generationChanges = new ConcurrentHashMap<>();

    public FleetState(Redactor redactor) {
        this.redactor = redactor == null ? Redactor.URLS : redactor;
    }

    private DatabaseState db(Path path) {
        // named by absolute path, as Litestream labels its series (it makes every configured path absolute)
        return databases.computeIfAbsent(path, p -> new DatabaseState(p.toAbsolutePath().normalize().toString(), System.nanoTime()));
    }

    /** A failure as one line a person can read: its message (or its cause's), redacted and bounded. */
    String describe(Throwable e) {
        String text = null;
        for (Throwable t = e; t != null && text == null; t = t.getCause()) text = t.getMessage();
        if (text == null) text = e == null ? "unknown failure" : e.getClass().getSimpleName();
        if (e instanceof KeelException k && k.subject() != null && !text.contains(k.subject())) text = k.subject() + ": " + text;
        text = redactor.redact(text);
        return text.length() > MAX_ERROR_CHARS ? text.substring(0, MAX_ERROR_CHARS) + "..." : text;
    }

    private String hint(Throwable e, String fallback) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof KeelException k && k.hint() != null) return redactor.redact(k.hint());
        }
        return fallback;
    }

    @Override
    public void databaseFollowed(Path db, Position position, List<FollowedReplica> replicas) {
        List<DatabaseState.ReplicaInfo> infos = new ArrayList<>();
        for (FollowedReplica r : replicas) {
            infos.add(new DatabaseState.ReplicaInfo(r.name(), r.type(), redactor.redact(r.location()), r.acknowledged()));
        }
        db(db).followed(position, infos);
    }

    @Override
    public void databaseWaiting(Path db, Throwable error) {
        db(db).waiting(describe(error), hint(error, "the database is retried every monitor interval until it opens"));
    }

    @Override
    public void databaseLetGo(Path db) {
        databases.remove(db);
    }

    @Override
    public void databaseParked(Path db, boolean parked) {
        db(db).parked(parked);
    }

    @Override
    public void generationStarted(Path db, Generation generation, String reason) {
        db(db).generationStarted(generation, redactor.redact(reason), System.nanoTime());
        generationChanges.computeIfAbsent(GenerationCause.of(reason), c -> new AtomicLong()).incrementAndGet();
    }

    @Override
    public void walCopied(Path db, Position end, long bytes) {
        db(db).walCopied(end, bytes, System.nanoTime());
    }

    @Override
    public void synced(Path db, long dbBytes, long walBytes, Duration took) {
        db(db).synced(dbBytes, walBytes, took);
    }

    @Override
    public void checkpointFinished(Path db, String mode, Duration took, Throwable error) {
        db(db).checkpoint(mode, took, error != null);
    }

    @Override
    public void snapshotWritten(Path db, String replica, Position position, long compressedBytes, Duration took) {
        db(db).uploaded(replica, position, compressedBytes, true);
    }

    @Override
    public void segmentWritten(Path db, String replica, Position start, Position end, long compressedBytes) {
        db(db).uploaded(replica, end, compressedBytes, false);
    }

    @Override
    public void validated(Path db, String replica, Position position, boolean equal) {
        db(db).validated(replica, equal);
    }

    @Override
    public void syncFailed(Path db, String replica, Throwable error) {
        DatabaseState d = databases.get(db);
        if (d == null) return; // a database still waiting to open reports through databaseWaiting
        d.failed(replica, describe(error), hint(error, replica == null ? LOCAL_HINT : STORAGE_HINT));
    }

    @Override
    public void syncRecovered(Path db, String replica) {
        DatabaseState d = databases.get(db);
        if (d != null) d.recovered(replica);
    }

    @Override
    public void storageOperation(Path db, String replica, String type, String operation, long bytes, Throwable error) {
        storage.record(type, operation, bytes, error != null);
    }

    @Override
    public void loopsTicked(int count, Duration took) {
        lastTickNanos.set(System.nanoTime());
        ticks.incrementAndGet();
    }

    /** Every database now, in no particular order. */
    List<DatabaseView> views(Duration readyWithin) {
        long now = System.nanoTime();
        List<DatabaseView> out = new ArrayList<>(databases.size());
        for (DatabaseState d : databases.values()) out.add(d.view(now, readyWithin));
        return out;
    }

    StorageCounts storage() {
        return storage;
    }

    /** Nanoseconds since the engine's ticker last walked its databases; -1 when it never did. */
    long sinceLastTickNanos() {
        return ticks.get() == 0 ? -1 : System.nanoTime() - lastTickNanos.get();
    }

    /** Generations begun in this process, by cause (a counter that stays when databases are let go). */
    Map<String, Long> generationChanges() {
        Map<String, Long> out = new java.util.TreeMap<>();
        generationChanges.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

    long ticks() {
        return ticks.get();
    }
}

package dev.keel.replication.restore;

import dev.keel.replication.api.Generation;
import dev.keel.replication.api.Position;
import java.nio.file.Path;
import java.util.Objects;

/**
 * What to restore and where: the output path (which must not exist), an optional generation (null:
 * the one with the latest data, or the one covering the target timestamp), the target, how many
 * objects to download at once (1 to {@link #MAX_PARALLELISM}), whether to run
 * {@code PRAGMA integrity_check} at the end, and whether stale {@code -wal}, {@code -shm} and
 * {@code -journal} files at the output path are removed (otherwise the restore refuses to run:
 * SQLite would apply them to the restored database when it is first opened).
 */
public record RestoreOptions(Path output, Generation generation, RestoreTarget target, int parallelism,
                             boolean integrityCheck, RestoreListener listener, boolean removeStaleFiles) {
    public static final int DEFAULT_PARALLELISM = 8;
    /** Each download runs on its own thread; more than this gains nothing and costs memory. */
    public static final int MAX_PARALLELISM = 1024;

    public RestoreOptions {
        Objects.requireNonNull(output, "output");
        if (target == null) target = RestoreTarget.latest();
        if (parallelism < 1 || parallelism > MAX_PARALLELISM) {
            throw new IllegalArgumentException("parallelism must be 1 to " + MAX_PARALLELISM + ": " + parallelism);
        }
        if (listener == null) listener = RestoreListener.NONE;
        if (target instanceof RestoreTarget.AtPosition p) {
            if (generation != null && !generation.equals(p.position().generation())) {
                throw new IllegalArgumentException("generation " + generation + " differs from the target position's " + p.position());
            }
            generation = p.position().generation();
        }
    }

    /** The latest state of the newest generation, restored to {@code output} with every default. */
    public static RestoreOptions to(Path output) {
        return new RestoreOptions(output, null, null, DEFAULT_PARALLELISM, true, null, false);
    }

    public RestoreOptions withGeneration(Generation g) {
        return new RestoreOptions(output, g, target, parallelism, integrityCheck, listener, removeStaleFiles);
    }

    public RestoreOptions withTarget(RestoreTarget t) {
        return new RestoreOptions(output, generation, t, parallelism, integrityCheck, listener, removeStaleFiles);
    }

    public RestoreOptions withPosition(Position p) {
        return new RestoreOptions(output, p.generation(), RestoreTarget.position(p), parallelism, integrityCheck, listener, removeStaleFiles);
    }

    public RestoreOptions withParallelism(int n) {
        return new RestoreOptions(output, generation, target, n, integrityCheck, listener, removeStaleFiles);
    }

    public RestoreOptions withIntegrityCheck(boolean check) {
        return new RestoreOptions(output, generation, target, parallelism, check, listener, removeStaleFiles);
    }

    public RestoreOptions withListener(RestoreListener l) {
        return new RestoreOptions(output, generation, target, parallelism, integrityCheck, l, removeStaleFiles);
    }

    /** With {@code true}, stale {@code -wal}/{@code -shm}/{@code -journal} files at the output path are removed. */
    public RestoreOptions withRemoveStaleFiles(boolean remove) {
        return new RestoreOptions(output, generation, target, parallelism, integrityCheck, listener, remove);
    }
}

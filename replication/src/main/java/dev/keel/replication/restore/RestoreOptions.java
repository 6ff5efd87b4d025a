package dev.keel.replication.restore;

import dev.keel.replication.api.Generation;
import dev.keel.replication.api.Position;
import java.nio.file.Path;
import java.util.Objects;

/**
 * What to restore and where: the output path (which must not exist), an optional generation (null:
 * the one with the latest data, or the one covering the target timestamp), the target, how many
 * objects to download at once, and whether to run {@code PRAGMA integrity_check} at the end.
 */
public record RestoreOptions(Path output, Generation generation, RestoreTarget target, int parallelism,
                             boolean integrityCheck, RestoreListener listener) {
    public static final int DEFAULT_PARALLELISM = 8;

    public RestoreOptions {
        Objects.requireNonNull(output, "output");
        if (target == null) target = RestoreTarget.latest();
        if (parallelism <= 0) parallelism = DEFAULT_PARALLELISM;
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
        return new RestoreOptions(output, null, null, 0, true, null);
    }

    public RestoreOptions withGeneration(Generation g) {
        return new RestoreOptions(output, g, target, parallelism, integrityCheck, listener);
    }

    public RestoreOptions withTarget(RestoreTarget t) {
        return new RestoreOptions(output, generation, t, parallelism, integrityCheck, listener);
    }

    public RestoreOptions withPosition(Position p) {
        return new RestoreOptions(output, p.generation(), RestoreTarget.position(p), parallelism, integrityCheck, listener);
    }

    public RestoreOptions withParallelism(int n) {
        return new RestoreOptions(output, generation, target, n, integrityCheck, listener);
    }

    public RestoreOptions withIntegrityCheck(boolean check) {
        return new RestoreOptions(output, generation, target, parallelism, check, listener);
    }

    public RestoreOptions withListener(RestoreListener l) {
        return new RestoreOptions(output, generation, target, parallelism, integrityCheck, l);
    }
}

package dev.keel.replication.restore;

import dev.keel.core.DurableFiles;
import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import dev.keel.replication.api.Generation;
import dev.keel.replication.api.Position;
import dev.keel.replication.api.ReplicaLayout;
import dev.keel.replication.internal.WriteGate;
import dev.keel.replication.spi.ReplicaClient;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Restores a database from its replicas to a new file: the in-process equivalent of
 * {@code keel restore}. Chooses the replica (the one named, else the one with the latest data, as
 * Litestream 0.3 does; see {@link ReplicaChoice}), lists it once, plans (see {@link RestorePlanner}),
 * rebuilds the database in a temp file beside the output, verifies every WAL frame, runs
 * {@code PRAGMA integrity_check}, then moves the file into place. Nothing ever appears at the output
 * path unless the whole restore succeeded, and an existing file is never replaced. Every failure is a
 * {@link KeelException}.
 *
 * <pre>{@code
 * RestoreResult r = Restorer.configure().from(client).output(Path.of("app.db"))
 *         .timestamp(Instant.parse("2024-05-01T12:00:00Z")).restore();
 * }</pre>
 */
public final class Restorer {
    private Restorer() {
    }

    public static Builder configure() {
        return new Builder();
    }

    /** What to restore, from where, to where; the defaults restore the latest state with 8 downloads at once. */
    public static final class Builder {
        private List<ReplicaChoice.Candidate> replicas;
        private String database;
        private String replicaName;
        private Map<String, ReplicaCatalog> catalogs;
        private RestoreOptions options = RestoreOptions.to(Path.of("."));
        private Path output;
        private long memoryBudget;
        private WriteGate gate = WriteGate.NONE;

        private Builder() {
        }

        /** Restores from this one replica. */
        public Builder from(ReplicaClient client) {
            this.replicas = List.of(new ReplicaChoice.Candidate(client.type(), client));
            this.database = client.describe();
            return this;
        }

        /**
         * Restores from one of a database's replicas: the one {@link #replica(String) named}, else the
         * one with the latest data (none: nothing is found). {@code database} names the database in errors.
         */
        public Builder replicas(String database, List<ReplicaChoice.Candidate> replicas) {
            this.replicas = List.copyOf(replicas);
            this.database = database;
            return this;
        }

        /** Only the replica with this name (Litestream's {@code -replica}); null: the one with the latest data. */
        public Builder replica(String name) {
            this.replicaName = name;
            return this;
        }

        /** Where the database is written; the file must not exist. */
        public Builder output(Path output) {
            this.output = Objects.requireNonNull(output, "output");
            return this;
        }

        /** This generation; by default the one with the latest data (or covering the timestamp). */
        public Builder generation(Generation generation) {
            return with(() -> options.withGeneration(generation));
        }

        /** The state at this moment (the newest snapshot at or before it, plus WAL up to it). */
        public Builder timestamp(Instant timestamp) {
            return target(RestoreTarget.timestamp(timestamp));
        }

        /** The state at the end of this WAL index (inclusive); needs {@link #generation}. */
        public Builder index(long index) {
            return target(RestoreTarget.index(index));
        }

        /** The state at exactly this position, which must lie on a commit boundary. */
        public Builder position(Position position) {
            return with(() -> options.withPosition(position));
        }

        /** Latest, timestamp, index or position; the default is the latest state. */
        public Builder target(RestoreTarget target) {
            return with(() -> options.withTarget(target));
        }

        /** Objects downloaded at once, 1 to {@link RestoreOptions#MAX_PARALLELISM} (default 8). */
        public Builder parallelism(int parallelism) {
            return with(() -> options.withParallelism(parallelism));
        }

        /** Whether {@code PRAGMA integrity_check} runs before the file is moved into place (default on). */
        public Builder integrityCheck(boolean check) {
            return with(() -> options.withIntegrityCheck(check));
        }

        /** Removes stale {@code -wal}/{@code -shm}/{@code -journal} files at the output (default: refuse). */
        public Builder removeStaleFiles(boolean remove) {
            return with(() -> options.withRemoveStaleFiles(remove));
        }

        public Builder listener(RestoreListener listener) {
            return with(() -> options.withListener(listener));
        }

        /** Options that do not fit together (a generation other than the position's, parallelism 0) are a USAGE error. */
        private Builder with(java.util.function.Supplier<RestoreOptions> change) {
            try {
                options = change.get();
            } catch (IllegalArgumentException e) {
                throw new KeelException(ErrorCode.USAGE, e.getMessage(), null, "see the restore options in docs/restore.md", e);
            }
            return this;
        }

        /** Catalogs already listed, by replica name (a fleet restore lists a whole prefix once). */
        Builder catalogs(Map<String, ReplicaCatalog> catalogs) {
            this.catalogs = catalogs;
            return this;
        }

        /** Bytes of replayed pages kept before they are written (0: from the heap size). */
        Builder memoryBudget(long bytes) {
            this.memoryBudget = bytes;
            return this;
        }

        /** Called before each write to the output (tests inject a full disk). */
        Builder writeGate(WriteGate gate) {
            this.gate = gate;
            return this;
        }

        /**
         * Restores; NOT_FOUND when no replica holds a matching backup, REFUSED when the output exists,
         * and the code of whatever else failed.
         */
        public RestoreResult restore() {
            return restoreIfFound().orElseThrow(this::noBackups);
        }

        /**
         * As {@link #restore()}, but empty instead of NOT_FOUND when no replica holds a matching backup
         * (Litestream's {@code -if-replica-exists}).
         */
        public Optional<RestoreResult> restoreIfFound() {
            RestoreOptions options = options();
            checkOutput(options);
            List<ReplicaChoice.Candidate> from = ReplicaChoice.named(replicas, replicaName, database);
            Optional<ReplicaChoice> choice = catalogs == null ? ReplicaChoice.choose(from, options)
                    : ReplicaChoice.choose(from, catalogs, options);
            return choice.map(c -> Restorer.restore(c.name(), c.client(), c.plan(), options, memoryBudget, gate));
        }

        RestoreOptions options() {
            if (replicas == null) {
                throw new KeelException(ErrorCode.USAGE, "no replica to restore from", null, "set from(client) or replicas(...)");
            }
            if (output == null) throw new KeelException(ErrorCode.USAGE, "no output path", database, "set output(path)");
            return new RestoreOptions(output, options.generation(), options.target(), options.parallelism(),
                    options.integrityCheck(), options.listener(), options.removeStaleFiles());
        }

        /** NOT_FOUND naming the one replica asked, or the database when several were. */
        KeelException noBackups() {
            List<ReplicaChoice.Candidate> asked = ReplicaChoice.named(replicas, replicaName, database);
            return Restorer.noBackups(asked.size() == 1 ? asked.get(0).client().describe() : database, options());
        }
    }

    /** Restores {@code options} from one replica (the tests of this package use it). */
    static RestoreResult restore(ReplicaClient client, RestoreOptions options) {
        return restore(client, options, WriteGate.NONE);
    }

    /** As {@link #restore(ReplicaClient, RestoreOptions)}, calling {@code gate} before each write to the output. */
    static RestoreResult restore(ReplicaClient client, RestoreOptions options, WriteGate gate) {
        return configure().from(client).output(options.output()).generation(options.generation()).target(options.target())
                .parallelism(options.parallelism()).integrityCheck(options.integrityCheck()).listener(options.listener())
                .removeStaleFiles(options.removeStaleFiles()).writeGate(gate).restore();
    }

    /**
     * {@link RestorePlanner#plan}, and when the generation was chosen (not named), the choice checked by
     * content ({@link GenerationChooser#confirm}; reads two WAL headers per generation).
     */
    static Optional<RestorePlan> plan(ReplicaClient client, ReplicaCatalog catalog, RestoreOptions options) {
        Optional<RestorePlan> plan = RestorePlanner.plan(catalog, options);
        if (plan.isEmpty() || options.generation() != null) return plan;
        GenerationInfo chosen = catalog.info(plan.get().generation());
        GenerationInfo confirmed = GenerationChooser.confirm(new ReplicaObjects(client), catalog, chosen, options.target());
        return confirmed == chosen ? plan : RestorePlanner.plan(catalog, options.withGeneration(confirmed.generation()));
    }

    /** Carries out a plan made from this client's catalog. */
    static RestoreResult restore(ReplicaClient client, RestorePlan plan, RestoreOptions options) {
        return restore(client.type(), client, plan, options, 0, WriteGate.NONE);
    }

    /** As {@link #restore(ReplicaClient, RestorePlan, RestoreOptions)}, buffering at most {@code memoryBudget} bytes of pages. */
    static RestoreResult restore(ReplicaClient client, RestorePlan plan, RestoreOptions options, long memoryBudget) {
        return restore(client.type(), client, plan, options, memoryBudget, WriteGate.NONE);
    }

    private static RestoreResult restore(String replicaName, ReplicaClient client, RestorePlan plan, RestoreOptions options,
                                         long memoryBudget, WriteGate gate) {
        long start = System.nanoTime();
        Path output = options.output().toAbsolutePath().normalize();
        checkOutput(options);
        Path dir = output.getParent();
        Path temp = dir.resolve("." + output.getFileName() + ".keel-restore-"
                + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong()) + ".tmp");
        boolean done = false;
        try {
            Files.createDirectories(dir);
            if (options.integrityCheck()) IntegrityCheck.preload();
            AtomicLong checkNanos = new AtomicLong();
            RestoreResult built = new RestoreRun(new ReplicaObjects(client), plan, options, temp, output, gate, memoryBudget).run(
                    !options.integrityCheck() ? null : db -> {
                        long checkStart = System.nanoTime();
                        options.listener().checking();
                        check(db, client.describe(), plan);
                        checkNanos.set(System.nanoTime() - checkStart);
                    });
            Duration checkTime = Duration.ofNanos(checkNanos.get());
            // Checked again just before the rename: a -wal that appeared while the restore ran would be
            // applied to the new file by the first connection that opens it.
            StaleFiles.removeOrRefuse(output, options.removeStaleFiles());
            moveIntoPlace(temp, output);
            done = true;
            return new RestoreResult(output, replicaName, built.replica(), built.generation(), built.snapshotIndex(), built.position(),
                    built.walSegments(), built.frames(), built.commits(), built.compressedBytes(), built.databaseBytes(),
                    built.pagesWritten(), Duration.ofNanos(System.nanoTime() - start), checkTime);
        } catch (OutputFile.LocalWriteFailure e) {
            throw e.toKeelException();
        } catch (IOException e) {
            throw new KeelException(ErrorCode.IO, "cannot write the restored database: " + e.getMessage(), output.toString(),
                    "check free space and permissions in " + dir, e);
        } finally {
            if (!done) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException ignored) {
                    // best effort: the temp file has a name no one else uses
                }
            }
        }
    }

    /** The error for "the replica holds nothing to restore for these options". */
    static KeelException noBackups(String replica, RestoreOptions options) {
        String what = options.generation() == null ? "" : " in generation " + options.generation();
        return new KeelException(ErrorCode.NOT_FOUND, "no matching backups found" + what
                + (options.target() instanceof RestoreTarget.Latest ? "" : " for " + options.target()), replica,
                "list what the replica holds with 'keel generations' and 'keel snapshots'; -if-replica-exists makes this exit 0");
    }

    /**
     * Refuses (REFUSED) an output path that exists, or that has a stale {@code -wal}, {@code -shm} or
     * {@code -journal} file beside it unless the options remove those; call it before contacting the replica.
     */
    static void checkOutput(RestoreOptions options) {
        Path output = options.output().toAbsolutePath().normalize();
        refuseExisting(output);
        if (!options.removeStaleFiles()) StaleFiles.refuse(output);
    }

    /**
     * Refuses an output path that exists, or is a link to a missing file: that is not an existing
     * database (-if-db-not-exists must not skip it), and restoring through it would write elsewhere.
     */
    static void refuseExisting(Path output) {
        if (Files.isSymbolicLink(output) && !Files.exists(output)) {
            String to;
            try {
                to = output.resolveSibling(Files.readSymbolicLink(output)).normalize().toString();
            } catch (IOException e) {
                to = "its target";
            }
            throw new KeelException(ErrorCode.REFUSED, "the output path is a symbolic link to a missing file (" + to + ")",
                    output.toString(), "restore to the link's target with -o " + to + ", or remove the link");
        }
        if (Files.exists(output, LinkOption.NOFOLLOW_LINKS)) {
            throw new KeelException(ErrorCode.REFUSED, "cannot restore: the output file already exists", output.toString(),
                    "choose another path with -o, move the file away, or pass -if-db-not-exists to skip the restore");
        }
    }

    /**
     * Runs integrity_check on the rebuilt file. A failure names the snapshot it was built from and what
     * was replayed on top: a snapshot of another database or generation shows up here (its pages do not
     * fit the WAL replayed over them), as does damage no checksum covers.
     */
    private static void check(Path db, String replica, RestorePlan plan) throws IOException {
        String subject = replica + "/" + plan.snapshot().key();
        String built = "the database rebuilt from this snapshot" + (plan.segments().isEmpty() ? ""
                : " and " + plan.segments().size() + " WAL segment(s) up to index " + ReplicaLayout.hex(plan.lastIndex()));
        String hint = "the snapshot may belong to another database or generation, or a file is damaged; restore an earlier"
                + " point (-timestamp, -index), another generation (-generation) or another replica";
        List<String> problems;
        try {
            problems = IntegrityCheck.problems(db);
        } catch (SQLException e) {
            throw new KeelException(ErrorCode.BAD_INPUT, built + " cannot be opened by SQLite: " + e.getMessage(), subject, hint, e);
        }
        if (!problems.isEmpty()) {
            throw new KeelException(ErrorCode.BAD_INPUT, built + " fails integrity_check: " + String.join("; ", problems),
                    subject, hint);
        }
    }

    /**
     * Renames without ever replacing: a hard link fails if the output appeared meanwhile; where links
     * are not supported, a plain move (which also refuses an existing target) is used. The directory is
     * fsynced afterwards. Other commands that hand over a finished file (branches) use it too.
     */
    public static void moveIntoPlace(Path temp, Path output) throws IOException {
        try {
            Files.createLink(output, temp);
            Files.delete(temp);
        } catch (FileAlreadyExistsException e) {
            refuseExisting(output);
            throw e;
        } catch (UnsupportedOperationException | IOException e) {
            if (Files.exists(output, LinkOption.NOFOLLOW_LINKS)) refuseExisting(output);
            Files.move(temp, output);
        }
        DurableFiles.fsyncDirectory(output.getParent());
    }
}

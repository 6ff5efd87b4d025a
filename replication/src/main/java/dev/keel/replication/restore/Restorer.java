package dev.keel.replication.restore;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import dev.keel.replication.api.ReplicaLayout;
import dev.keel.replication.internal.WriteGate;
import dev.keel.replication.spi.ReplicaClient;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Restores a database from a replica to a new file: lists the replica once, plans (see
 * {@link RestorePlanner}), rebuilds the database in a temp file beside the output, verifies every WAL
 * frame, runs {@code PRAGMA integrity_check}, then moves the file into place. Nothing ever appears at
 * the output path unless the whole restore succeeded, and an existing file is never replaced.
 *
 * <pre>{@code
 * RestoreResult r = Restorer.restore(client, RestoreOptions.to(Path.of("app.db"))
 *         .withTarget(RestoreTarget.timestamp(Instant.parse("2024-05-01T12:00:00Z"))));
 * }</pre>
 */
public final class Restorer {
    private Restorer() {
    }

    /** Plans against a fresh listing of the replica and restores; NOT_FOUND when it holds no matching backup. */
    public static RestoreResult restore(ReplicaClient client, RestoreOptions options) {
        return restore(client, options, WriteGate.NONE);
    }

    /** As {@link #restore(ReplicaClient, RestoreOptions)}, calling {@code gate} before each write to the output. */
    static RestoreResult restore(ReplicaClient client, RestoreOptions options, WriteGate gate) {
        checkOutput(options);
        RestorePlan plan = plan(client, ReplicaCatalog.load(client), options).orElseThrow(() -> noBackups(client.describe(), options));
        return restore(client, plan, options, 0, gate);
    }

    /**
     * {@link RestorePlanner#plan}, and when the generation was chosen (not named), a check by content
     * that no generation ranked older by file times wrote WAL after the chosen one began
     * ({@link GenerationOrder}; reads two WAL headers per generation).
     */
    public static Optional<RestorePlan> plan(ReplicaClient client, ReplicaCatalog catalog, RestoreOptions options) {
        Optional<RestorePlan> plan = RestorePlanner.plan(catalog, options);
        if (plan.isPresent() && options.generation() == null) {
            GenerationOrder.check(new ReplicaObjects(client), catalog, catalog.info(plan.get().generation()));
        }
        return plan;
    }



    /** Carries out a plan made from this client's catalog. */
    public static RestoreResult restore(ReplicaClient client, RestorePlan plan, RestoreOptions options) {
        return restore(client, plan, options, 0, WriteGate.NONE);
    }

    /** As {@link #restore(ReplicaClient, RestorePlan, RestoreOptions)}, buffering at most {@code memoryBudget} bytes of pages. */
    static RestoreResult restore(ReplicaClient client, RestorePlan plan, RestoreOptions options, long memoryBudget) {
        return restore(client, plan, options, memoryBudget, WriteGate.NONE);
    }

    private static RestoreResult restore(ReplicaClient client, RestorePlan plan, RestoreOptions options, long memoryBudget,
                                         WriteGate gate) {
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
            return new RestoreResult(output, built.replica(), built.generation(), built.snapshotIndex(), built.position(),
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
    public static KeelException noBackups(String replica, RestoreOptions options) {
        String what = options.generation() == null ? "" : " in generation " + options.generation();
        return new KeelException(ErrorCode.NOT_FOUND, "no matching backups found" + what
                + (options.target() instanceof RestoreTarget.Latest ? "" : " for " + options.target()), replica,
                "list what the replica holds with 'keel generations' and 'keel snapshots'; -if-replica-exists makes this exit 0");
    }

    /**
     * Refuses (REFUSED) an output path that exists, or that has a stale {@code -wal}, {@code -shm} or
     * {@code -journal} file beside it unless the options remove those; call it before contacting the replica.
     */
    public static void checkOutput(RestoreOptions options) {
        Path output = options.output().toAbsolutePath().normalize();
        refuseExisting(output);
        if (!options.removeStaleFiles()) StaleFiles.refuse(output);
    }

    /**
     * Refuses an output path that exists, or is a link to a missing file: that is not an existing
     * database (-if-db-not-exists must not skip it), and restoring through it would write elsewhere.
     */
    public static void refuseExisting(Path output) {
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
        fsyncDirectory(output.getParent());
    }

    /** Makes a rename or deletion in {@code dir} durable; a no-op where the file system cannot fsync a directory. */
    public static void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            // Some file systems cannot fsync a directory; the rename is still atomic there.
            if (System.getProperty("os.name", "").toLowerCase().contains("linux")) throw e;
        }
    }
}

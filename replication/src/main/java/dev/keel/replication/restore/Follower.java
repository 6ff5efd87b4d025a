package dev.keel.replication.restore;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import dev.keel.replication.api.Position;
import dev.keel.replication.api.ReplicaLayout;
import dev.keel.replication.api.WalSegmentInfo;
import dev.keel.replication.spi.ReplicaClient;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A live read-only copy of a replicated database (Litestream 0.5's {@code restore -f}): restores the
 * replica to the output path, then polls the replica and applies each new run of WAL segments to the
 * copy, whole transactions at a time, so that applications open the copy read-only and see the
 * primary's data about one poll after the replica has it. Readers never see a torn state, and a
 * follower killed at any point leaves a copy SQLite rolls back to the last applied state (see
 * {@link FollowerCopy}). When the replica starts a new generation, the copy is rebuilt beside the old
 * one and renamed over it.
 *
 * <pre>{@code
 * try (Follower f = Follower.configure().from(client).output(Path.of("replica.db")).start()) {
 *     f.run(); // until f.close() from another thread
 * }
 * }</pre>
 */
public final class Follower implements AutoCloseable {
    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(1);
    /**
     * Memory for page images: half for the transaction being read, half for the transactions waiting to
     * be applied; beyond it they wait in spool files beside the copy. A batch that outgrows its half is
     * applied at the end of the segment (more WAL waiting is applied in several steps).
     */
    static final long DEFAULT_MEMORY_BUDGET = 64L << 20;
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
    /**
     * The whole replica is listed (to see whether the primary started a new generation) at most this
     * often: while the copy's generation grows its own listing is enough, and a short poll interval
     * would otherwise pay two listings per poll.
     */
    private static final long GENERATION_CHECK_NANOS = Duration.ofSeconds(1).toNanos();

    private final ReplicaClient client;
    private final String replicaName;
    private final Path output;
    private final Duration pollInterval;
    private final int parallelism;
    private final FollowListener listener;
    private final boolean removeStaleFiles;
    private final CountDownLatch stop = new CountDownLatch(1);
    private final CountDownLatch finished = new CountDownLatch(1);
    private final FollowWake wake = new FollowWake();
    private volatile boolean running;
    private ReplicaWatch watch = ReplicaWatch.NONE;
    /** System.nanoTime() of the last listing of the whole replica. */
    private long generationCheckedAt;
    private boolean generationChecked;
    /** The last poll had nothing new and left the whole replica unlisted, as it was listed less than a second ago. */
    private boolean generationCheckSkipped;

    private FollowerCopy copy;
    private FollowState state;
    private WalReplayer replayer;
    private final long memoryBudget;
    /** With {@link #replayer}: null until the first segment after the copy's position is replayed. */
    private PageBatch batch;
    /** Set when a poll found the copy cannot continue from its position; the next poll restores. */
    private String restoreReason;

    private Follower(Builder b, ReplicaClient client, String replicaName) {
        this.client = client;
        this.replicaName = replicaName;
        this.output = b.output;
        this.pollInterval = b.pollInterval;
        this.parallelism = b.parallelism;
        this.listener = b.listener;
        this.removeStaleFiles = b.removeStaleFiles;
        this.memoryBudget = b.memoryBudget;
    }

    public static Builder configure() {
        return new Builder();
    }

    /** Where to follow from and to, and how often to look; defaults: every second, 8 downloads at once. */
    public static final class Builder {
        private ReplicaClient client;
        private String name;
        private Path output;
        private Duration pollInterval = DEFAULT_POLL_INTERVAL;
        private int parallelism = RestoreOptions.DEFAULT_PARALLELISM;
        private FollowListener listener = FollowListener.NONE;
        private boolean removeStaleFiles;
        private List<ReplicaChoice.Candidate> candidates;
        private String database;
        private long memoryBudget = DEFAULT_MEMORY_BUDGET;

        private Builder() {
        }

        /** Memory for page images before they spool to files beside the copy (tests use a small one). */
        Builder memoryBudget(long bytes) {
            if (bytes < 2) throw new IllegalArgumentException("memory budget " + bytes);
            this.memoryBudget = bytes;
            return this;
        }

        /** Follows this replica; {@code name} is how it is called in logs and the state file (null: its type). */
        public Builder from(ReplicaClient client, String name) {
            this.client = Objects.requireNonNull(client, "client");
            this.name = name == null ? client.type() : name;
            return this;
        }

        public Builder from(ReplicaClient client) {
            return from(client, null);
        }

        /**
         * Follows one of a database's replicas: the one with the latest data when the follower starts
         * (as a restore chooses, see {@link ReplicaChoice}); {@code database} names it in errors.
         */
        public Builder replicas(String database, List<ReplicaChoice.Candidate> candidates) {
            this.candidates = List.copyOf(candidates);
            this.database = database;
            return this;
        }

        /** Removes stale {@code -wal}/{@code -shm}/{@code -journal} files at a new output path (default: refuse). */
        public Builder removeStaleFiles(boolean remove) {
            this.removeStaleFiles = remove;
            return this;
        }

        /** The copy; it must not exist, or be a follower's copy (then following resumes where it stopped). */
        public Builder output(Path output) {
            this.output = Objects.requireNonNull(output, "output").toAbsolutePath().normalize();
            return this;
        }

        /** How often the replica is listed for new WAL (at least 1 ms). */
        public Builder pollInterval(Duration interval) {
            if (interval == null || interval.toMillis() < 1) {
                throw new KeelException(ErrorCode.USAGE, "invalid follow interval " + interval + ": must be at least 1ms",
                        null, "e.g. 1s (the default) or 100ms");
            }
            this.pollInterval = interval;
            return this;
        }

        /** Objects downloaded at once when the copy is (re)built. */
        public Builder parallelism(int parallelism) {
            RestoreOptions.to(Path.of(".")).withParallelism(parallelism); // validates
            this.parallelism = parallelism;
            return this;
        }

        public Builder listener(FollowListener listener) {
            this.listener = listener == null ? FollowListener.NONE : listener;
            return this;
        }

        /**
         * Builds the copy (or resumes an existing one) and returns the follower, ready to {@link #run};
         * REFUSED when the output exists and is not a follower's copy, NOT_FOUND when the replica holds
         * no backup, and the code of whatever else failed.
         */
        public Follower start() {
            if (client == null && candidates != null) choose();
            if (client == null) throw new KeelException(ErrorCode.USAGE, "no replica to follow", null, "set from(client)");
            if (output == null) throw new KeelException(ErrorCode.USAGE, "no output path", client.describe(), "set output(path)");
            Follower f = new Follower(this, client, name);
            try {
                f.open();
            } catch (IOException e) {
                f.closeCopy();
                throw new KeelException(ErrorCode.IO, "cannot follow into the output: " + e.getMessage(), output.toString(),
                        "check free space and permissions in " + output.getParent(), e);
            } catch (RuntimeException e) {
                f.closeCopy();
                throw e;
            }
            return f;
        }

        private void choose() {
            if (candidates.size() == 1) {
                from(candidates.get(0).client(), candidates.get(0).name());
                return;
            }
            RestoreOptions latest = RestoreOptions.to(output == null ? Path.of(".") : output);
            ReplicaChoice choice = ReplicaChoice.choose(candidates, latest)
                    .orElseThrow(() -> Restorer.noBackups(database, latest));
            from(choice.client(), choice.name());
        }
    }

    private void open() throws IOException {
        // A follower killed while it spooled a transaction leaves the files: nothing reads them again.
        Files.deleteIfExists(spoolFile(output, "pages"));
        Files.deleteIfExists(spoolFile(output, "transaction"));
        FollowerStart.Decision decision = FollowerStart.decide(output, removeStaleFiles);
        if (decision instanceof FollowerStart.Decision.Resume resume) {
            copy = FollowerCopy.open(output, this::stopped);
            long counter = copy.changeCounter(this::stopped);
            if (counter == resume.state().changeCounter()) {
                state = resume.state();
                return;
            }
            restoreReason = "an apply was interrupted after its position was recorded (change counter " + counter
                    + ", recorded " + resume.state().changeCounter() + ")";
        } else {
            restoreReason = "first start";
        }
        rebuild(restoreReason);
    }

    /**
     * Polls until {@link #close()}; failures are reported to the listener and retried with backoff.
     * A poll that applied WAL is followed by another at once (more may have arrived meanwhile); a
     * directory replica's changes also wake the follower before its interval is up ({@link ReplicaWatch}).
     */
    public void run() {
        running = true;
        watch = ReplicaWatch.of(client, wake::wake);
        try {
            long failures = 0;
            boolean rebuiltLast = false;
            while (!stopped()) {
                long waitMillis = pollInterval.toMillis();
                try {
                    watch.follow(position().generation());
                    FollowStep step = poll(generationCheckDue());
                    failures = 0;
                    // More may have landed during an apply, or before the watch moved to a rebuilt copy's
                    // generation: look again at once, but not twice in a row after rebuilds (no tight loop).
                    boolean rebuilt = step instanceof FollowStep.Restored;
                    boolean again = step instanceof FollowStep.Applied || (rebuilt && !rebuiltLast);
                    rebuiltLast = rebuilt;
                    if (again) continue;
                } catch (KeelException e) {
                    if (stopped()) break;
                    failures++;
                    waitMillis = Math.min(MAX_BACKOFF.toMillis(), pollInterval.toMillis() << Math.min(failures, 16));
                    listener.failed(e, waitMillis);
                    if (stopped()) break;
                    // A watch must not cut the backoff short while the storage fails.
                    if (stop.await(waitMillis, TimeUnit.MILLISECONDS)) break;
                    continue;
                }
                // A woken poll may have skipped the check for a new generation: make it once it is due.
                if (generationCheckSkipped) waitMillis = Math.min(waitMillis, millisUntilGenerationCheck());
                wake.await(waitMillis);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            watch.close();
            finished.countDown();
        }
    }

    /** One look at the replica: applies what is new, or rebuilds the copy when it must. */
    public FollowStep poll() {
        return poll(true);
    }

    /** {@code checkGenerations}: when the copy's generation has nothing new, list the whole replica for a new one. */
    private FollowStep poll(boolean checkGenerations) {
        try {
            return pollOnce(checkGenerations);
        } catch (RuntimeException e) {
            discardReplay(); // its state may be part of a segment: prime again from the recorded position
            throw e;
        } catch (InterruptedIOException e) {
            discardReplay();
            return new FollowStep.UpToDate(position());
        } catch (IOException e) {
            discardReplay();
            throw new KeelException(ErrorCode.IO, "cannot apply to the follower's copy: " + e.getMessage(), output.toString(),
                    "check free space and permissions; the copy keeps its last applied state", e);
        }
    }

    private FollowStep pollOnce(boolean checkGenerations) throws IOException {
        if (restoreReason != null) return rebuild(restoreReason);
        // While the copy's generation grows, listing it alone is enough (and stays cheap on a replica
        // with many generations); only when it has nothing new is the whole replica listed, to see
        // whether the primary started a new generation.
        FollowPlan plan = FollowPlan.within(walCatalog(), state.position());
        boolean nothingNew = plan instanceof FollowPlan.Continue c && c.segments().isEmpty();
        generationCheckSkipped = nothingNew && !checkGenerations;
        if (nothingNew && checkGenerations) {
            generationChecked = true;
            generationCheckedAt = System.nanoTime();
            plan = FollowPlan.of(ReplicaChoice.catalog(client), state.position());
        }
        if (plan instanceof FollowPlan.Rebuild r) return rebuild(r.reason());
        List<WalSegmentInfo> segments = ((FollowPlan.Continue) plan).segments();
        if (segments.isEmpty()) return new FollowStep.UpToDate(position());
        if (replayer == null) prime(((FollowPlan.Continue) plan).prefix());
        Position from = position();
        ReplicaObjects objects = new ReplicaObjects(client);
        int applied = 0;
        long transactions = 0;
        for (WalSegmentInfo segment : segments) {
            if (stopped()) break;
            replay(objects, segment);
            applied++;
            if (batch.bytes() >= memoryBudget / 2) transactions += commit();
        }
        transactions += commit();
        if (applied == 0) return new FollowStep.UpToDate(position()); // stopped before the first segment
        Instant newest = segments.get(applied - 1).createdAt();
        return report(new FollowStep.Applied(from, position(), applied, transactions,
                Duration.between(newest, Instant.now()).isNegative() ? Duration.ZERO : Duration.between(newest, Instant.now())));
    }

    /** True when the whole replica may be listed in this poll of {@link #run}. */
    private boolean generationCheckDue() {
        return millisUntilGenerationCheck() == 0;
    }

    private long millisUntilGenerationCheck() {
        if (!generationChecked) return 0;
        long left = GENERATION_CHECK_NANOS - (System.nanoTime() - generationCheckedAt);
        return left <= 0 ? 0 : TimeUnit.NANOSECONDS.toMillis(left) + 1;
    }

    /** The WAL segments of the copy's generation (its snapshots are not needed to continue). */
    private ReplicaCatalog walCatalog() {
        try {
            return ReplicaCatalog.of(client.describe(), client.list(ReplicaLayout.walPrefix(state.position().generation())));
        } catch (IOException e) {
            throw new KeelException(ErrorCode.STORAGE_UNAVAILABLE, "cannot list the replica: " + e.getMessage(),
                    client.describe(), "check that the storage is reachable; the follower tries again", e);
        }
    }

    private FollowStep report(FollowStep.Applied step) {
        if (step.transactions() > 0) listener.applied(step);
        return step;
    }

    /** Replays the segments of the position's index before it, checking them, so the checksum chain continues. */
    private void prime(List<WalSegmentInfo> prefix) throws IOException {
        discardReplay();
        int pageSize = copy.pageSize();
        batch = new PageBatch(pageSize, memoryBudget / 2, spoolFile(output, "pages"));
        replayer = new WalReplayer(batch, pageSize, new PageSpool(pageSize, memoryBudget - memoryBudget / 2,
                spoolFile(output, "transaction")));
        ReplicaObjects objects = new ReplicaObjects(client);
        for (WalSegmentInfo segment : prefix) replay(objects, segment);
        batch.clear();
    }

    /** Where pages beyond the memory budget wait, beside the copy: {@code .<name>.keel-follow-<what>}. */
    static Path spoolFile(Path output, String what) {
        return output.resolveSibling("." + output.getFileName() + ".keel-follow-" + what);
    }

    /** Forgets the replay in progress (the next poll primes again from the recorded position) and its spool files. */
    private void discardReplay() {
        if (replayer != null) replayer.discard();
        if (batch != null) batch.close();
        replayer = null;
        batch = null;
    }

    /** Replays one segment; WAL that does not verify (damaged, or not continuing the copy) makes the next poll rebuild. */
    private void replay(ReplicaObjects objects, WalSegmentInfo segment) {
        try {
            SegmentApply.replay(objects, replayer, segment);
        } catch (KeelException e) {
            if (e.code() == ErrorCode.BAD_INPUT) {
                restoreReason = "the WAL after " + state.position() + " cannot be applied: " + e.getMessage();
            }
            throw e;
        }
    }

    /** Applies the batch to the copy as one step; returns its transactions. */
    private long commit() throws IOException {
        if (batch.transactions() == 0) {
            batch.clear();
            return 0;
        }
        long n = batch.transactions();
        Position next = new Position(state.position().generation(), replayer.index(), replayer.offset());
        copy.apply(batch, counter -> {
            FollowState s = new FollowState(replicaName, next, counter);
            s.writeFast(output);
            state = s;
        }, this::stopped);
        batch.clear();
        return n;
    }

    /** Restores the replica's latest state beside the copy and renames it over the copy. */
    private FollowStep rebuild(String reason) throws IOException {
        long counter = state == null ? 1 : state.changeCounter() + 1;
        FollowStep.Restored step = FollowerRebuild.rebuild(client, replicaName, output, parallelism, counter, reason,
                this::closeCopy);
        state = new FollowState(replicaName, step.result().position(), counter);
        copy = FollowerCopy.open(output, this::stopped);
        discardReplay();
        restoreReason = null;
        listener.restored(step);
        return step;
    }

    /** The WAL position the copy holds. */
    public Position position() {
        return state.position();
    }

    /** The replica followed, as configured (or its type). */
    public String replicaName() {
        return replicaName;
    }

    private boolean stopped() {
        return stop.getCount() == 0;
    }

    /** Stops polling (an apply in progress finishes first) and closes the copy; readers keep their view. */
    @Override
    public void close() {
        stop.countDown();
        wake.wake();
        if (running) {
            try {
                finished.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        closeCopy();
    }

    private synchronized void closeCopy() {
        discardReplay();
        if (copy == null) return;
        try {
            copy.close();
        } catch (IOException ignored) {
            // nothing is pending: every apply is durable or rolled back
        }
        copy = null;
    }

}

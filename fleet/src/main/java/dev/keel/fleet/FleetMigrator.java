package dev.keel.fleet;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import dev.keel.fleet.DatabaseOutcome.Status;
import dev.keel.fleet.FleetResult.Operation;
import dev.keel.schema.Migrator;
import dev.keel.schema.source.Sandbox;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Declarative migrations for a fleet of databases, the way {@link Migrator} does one:
 * {@code FleetMigrator.configure().selection(fleet).schema(path).load().migrate()}. Every database
 * gets exactly {@code keel migrate}'s semantics (its own transaction, all or nothing, lint,
 * deletions only when allowed, pre/post SQL), and the schema is built once for the whole fleet.
 *
 * <p>A migration plans every database first, in parallel, and changes nothing when any plan is
 * refused or fails. It then migrates the first {@code canary} databases that need it and checks them
 * again (the schema matches, {@code PRAGMA integrity_check} passes); only then the rest, with bounded
 * parallelism. A canary failure stops the run; later failures stop it only with {@code failFast}.
 * Databases already at the schema are {@code unchanged}, so running it again finishes an interrupted run.
 */
public final class FleetMigrator {
    private final Builder config;

    private FleetMigrator(Builder config) {
        this.config = config;
    }

    public static Builder configure() {
        return new Builder();
    }

    /** Plans, checks the canaries, migrates the rest; see the class comment. Throws only for a bad schema or pre/post file. */
    public FleetResult migrate() {
        long start = System.nanoTime();
        List<FleetDatabase> fleet = config.selection.databases();
        DatabaseTasks tasks = tasks();
        List<DatabaseOutcome> plans = workers().run("plan", fleet, tasks::plan, o -> false, o -> null);
        if (Thread.currentThread().isInterrupted()) {
            return result(Operation.MIGRATE, notStarted(fleet, "the run was interrupted while planning; nothing was changed"),
                    false, "interrupted", start);
        }
        if (plans.stream().anyMatch(o -> o.status() == Status.REFUSED || o.status() == Status.FAILED)) {
            List<DatabaseOutcome> out = plans.stream().map(o -> o.status() == Status.REFUSED || o.status() == Status.FAILED ? o
                    : DatabaseOutcome.notStarted(o.database(), "the run was refused: nothing was changed")).toList();
            return result(Operation.MIGRATE, out, true, null, start);
        }
        Map<FleetDatabase, DatabaseOutcome> done = new HashMap<>();
        List<FleetDatabase> pending = new ArrayList<>();
        for (DatabaseOutcome o : plans) {
            boolean apply = o.status() == Status.DIFFERS || (o.status() == Status.UNCHANGED && tasks.hasScripts());
            if (apply) pending.add(o.database());
            else done.put(o.database(), o); // unchanged, or busy while planning: a later run takes it
        }
        String stop = new Canaries(tasks, workers(), config.canary, config.parallel).run(pending, done);
        List<FleetDatabase> rest = pending.stream().filter(d -> !done.containsKey(d)).toList();
        if (stop != null) {
            for (FleetDatabase d : rest) done.put(d, DatabaseOutcome.notStarted(d, stop));
        } else {
            List<DatabaseOutcome> migrated = workers().run("migrate", rest, d -> tasks.migrate(d, false),
                    o -> config.failFast && stopsFailFast(o), o -> "--fail-fast: " + o.database() + " " + o.status().label());
            for (DatabaseOutcome o : migrated) {
                done.put(o.database(), o);
                if (o.status() == Status.NOT_STARTED && stop == null) stop = o.note();
            }
        }
        List<DatabaseOutcome> out = fleet.stream().map(done::get).toList();
        return result(Operation.MIGRATE, out, false, stop, start);
    }

    /** The plan of every database and what would stop {@code migrate} (deletions, linter findings); changes nothing. */
    public FleetResult diff() {
        long start = System.nanoTime();
        DatabaseTasks tasks = tasks();
        List<DatabaseOutcome> plans = workers().run("diff", config.selection.databases(), tasks::plan, o -> false, o -> null);
        return result(Operation.DIFF, plans, false, interruption(), start);
    }

    /** Compares every database with the wanted schema; changes nothing. */
    public FleetResult check() {
        long start = System.nanoTime();
        DatabaseTasks tasks = tasks();
        List<DatabaseOutcome> checks = workers().run("check", config.selection.databases(), tasks::check, o -> false, o -> null);
        return result(Operation.CHECK, checks, false, interruption(), start);
    }

    private static boolean stopsFailFast(DatabaseOutcome o) {
        return o.failed() || o.status() == Status.REFUSED;
    }

    private String interruption() {
        return Thread.currentThread().isInterrupted() ? "the run was interrupted" : null;
    }

    private FleetResult result(Operation operation, List<DatabaseOutcome> outcomes, boolean refused, String stop, long start) {
        return new FleetResult(operation, outcomes, refused, stop, config.dryRun, Duration.ofNanos(System.nanoTime() - start));
    }

    private static List<DatabaseOutcome> notStarted(List<FleetDatabase> fleet, String why) {
        return fleet.stream().map(d -> DatabaseOutcome.notStarted(d, why)).toList();
    }

    private Workers workers() {
        return new Workers(config.parallel, config.listener);
    }

    /** The per-database work, with the wanted schema and pre/post SQL read and built once, now (their errors are thrown here). */
    private DatabaseTasks tasks() {
        // the path is replaced per database by forDatabase; the template itself never opens it
        Migrator.Builder b = Migrator.configure().database(Path.of("fleet-template")).pre(config.pre).post(config.post)
                .allowDeletions(config.allowDeletions).dryRun(config.dryRun).busyTimeout(config.busyTimeout).sandbox(config.sandbox);
        if (config.schemaPath != null) b.schema(config.schemaPath);
        else b.schema(config.schemaName, config.schemaSql);
        Migrator template = b.load().prepare();
        return new DatabaseTasks(template, config.allowDeletions, config.dryRun, config.pre != null || config.post != null);
    }

    /** Settings of a {@link FleetMigrator}; {@link #load()} checks them. */
    public static final class Builder {
        private FleetSelection selection;
        private Path schemaPath;
        private String schemaName;
        private String schemaSql;
        private Path pre;
        private Path post;
        private boolean allowDeletions;
        private boolean dryRun;
        private Duration busyTimeout = Duration.ofSeconds(5);
        private Sandbox.Limits sandbox = Sandbox.Limits.DEFAULT;
        private int canary = 1;
        private int parallel = Runtime.getRuntime().availableProcessors();
        private boolean failFast;
        private FleetListener listener = FleetListener.NONE;

        public Builder selection(FleetSelection value) {
            this.selection = Objects.requireNonNull(value, "selection");
            return this;
        }

        /** A schema file, or a directory of .sql files read in name order. */
        public Builder schema(Path path) {
            this.schemaPath = Objects.requireNonNull(path, "path");
            return this;
        }

        /** A schema given as text; {@code name} appears in errors. */
        public Builder schema(String name, String sql) {
            this.schemaPath = null;
            this.schemaName = Objects.requireNonNull(name, "name");
            this.schemaSql = Objects.requireNonNull(sql, "sql");
            return this;
        }

        public Builder pre(Path sqlFile) {
            this.pre = sqlFile;
            return this;
        }

        public Builder post(Path sqlFile) {
            this.post = sqlFile;
            return this;
        }

        public Builder allowDeletions(boolean allow) {
            this.allowDeletions = allow;
            return this;
        }

        /** Migrate every database, then roll it back: a rehearsal on real data (canaries are not checked again). */
        public Builder dryRun(boolean value) {
            this.dryRun = value;
            return this;
        }

        /** How long to wait for an application's lock on a database before reporting it busy. */
        public Builder busyTimeout(Duration timeout) {
            this.busyTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        public Builder sandbox(Sandbox.Limits limits) {
            this.sandbox = Objects.requireNonNull(limits, "limits");
            return this;
        }

        /** How many databases to migrate and verify before the rest (default 1; 0 for none). */
        public Builder canary(int count) {
            this.canary = count;
            return this;
        }

        /** How many databases to work on at once (default: the number of processors). */
        public Builder parallel(int threads) {
            this.parallel = threads;
            return this;
        }

        /** Stop starting databases after the first failure (by default the others continue). */
        public Builder failFast(boolean value) {
            this.failFast = value;
            return this;
        }

        public Builder listener(FleetListener value) {
            this.listener = Objects.requireNonNull(value, "listener");
            return this;
        }

        public FleetMigrator load() {
            if (selection == null) throw usage("no fleet given", "set selection(FleetSelection.builder()...build())");
            if (schemaPath == null && schemaSql == null) throw usage("no schema given", "set schema(path) or schema(name, sql)");
            if (canary < 0) throw usage("canary must be 0 or more, not " + canary, "--canary N migrates and verifies N databases first");
            if (parallel < 1 || parallel > 1024) {
                throw usage("parallel must be between 1 and 1024, not " + parallel, "--parallel N works on N databases at once");
            }
            return new FleetMigrator(this);
        }

        private static KeelException usage(String message, String hint) {
            return new KeelException(ErrorCode.USAGE, message, null, hint);
        }
    }
}

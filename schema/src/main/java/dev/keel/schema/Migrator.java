package dev.keel.schema;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import dev.keel.schema.apply.Applier;
import dev.keel.schema.diff.Change;
import dev.keel.schema.apply.LiveDatabase;
import dev.keel.schema.inspect.Inspector;
import dev.keel.schema.lint.LintFinding;
import dev.keel.schema.lint.Linter;
import dev.keel.schema.plan.Plan;
import dev.keel.schema.plan.Planner;
import dev.keel.schema.source.Sandbox;
import dev.keel.schema.source.SchemaSource;
import dev.keel.schema.source.WantedSchema;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Declarative migrations as a library call, the way Flyway is used at application start-up:
 * {@code Migrator.configure().database(path).schema(path).load().migrate()} brings the database to
 * the wanted schema in one transaction, or throws a {@link KeelException} and changes nothing.
 */
public final class Migrator {
    private final Builder config;
    private final Prepared prepared;

    private Migrator(Builder config, Prepared prepared) {
        this.config = config;
        this.prepared = prepared;
    }

    public static Builder configure() {
        return new Builder();
    }

    /**
     * Runs pre SQL, the plan and post SQL in one transaction and commits (or, with dryRun, rolls
     * back at the end). Refuses deletions unless allowed, and refuses when the linter finds rows
     * the plan would break; in both cases nothing is changed.
     */
    public MigrationResult migrate() {
        long start = System.nanoTime();
        WantedSchema wanted = prepared.wanted();
        SchemaSource pre = prepared.pre();
        SchemaSource post = prepared.post();
        try (LiveDatabase db = open()) {
            return withForeignKeysOff(db, () -> {
                db.begin(true);
                try {
                    Applier applier = new Applier(db);
                    if (pre != null) applier.script(pre, "pre");
                    Plan plan = plan(db, wanted);
                    refuseEmptySchema(db, wanted, plan);
                    refuseDeletions(db, plan);
                    int violationsBefore = plan.isEmpty() ? 0 : applier.foreignKeyViolations().size();
                    applier.steps(plan.steps(), 0, plan.lintPoint());
                    refuseFindings(db, lint(db, plan));
                    applier.steps(plan.steps(), plan.lintPoint(), plan.steps().size());
                    if (post != null) applier.script(post, "post");
                    checkConverged(db, wanted);
                    checkForeignKeys(db, applier, violationsBefore);
                    if (config.dryRun) db.rollback();
                    else db.commit();
                    return new MigrationResult(db.label(), plan, List.of(), !config.dryRun, config.dryRun, millisSince(start));
                } catch (RuntimeException e) {
                    db.rollback();
                    throw e;
                }
            });
        }
    }

    /**
     * The plan and what the linter says about it, without changing anything: it runs in a
     * transaction that is always rolled back (with pre SQL first, when given).
     */
    public MigrationResult diff() {
        long start = System.nanoTime();
        WantedSchema wanted = prepared.wanted();
        SchemaSource pre = prepared.pre();
        try (LiveDatabase db = open()) {
            return withForeignKeysOff(db, () -> {
                db.begin(false);
                try {
                    Applier applier = new Applier(db);
                    if (pre != null) applier.script(pre, "pre");
                    Plan plan = plan(db, wanted);
                    applier.steps(plan.steps(), 0, plan.lintPoint());
                    List<LintFinding> findings = lint(db, plan);
                    return new MigrationResult(db.label(), plan, findings, false, false, millisSince(start));
                } finally {
                    db.rollback();
                }
            });
        }
    }

    /** Compares only: the result's plan is empty when the database matches the wanted schema. */
    public MigrationResult check() {
        long start = System.nanoTime();
        WantedSchema wanted = prepared.wanted();
        try (LiveDatabase db = open()) {
            db.begin(false);
            try {
                return new MigrationResult(db.label(), plan(db, wanted), List.of(), false, false, millisSince(start));
            } finally {
                db.rollback();
            }
        }
    }

    /**
     * Reads the pre/post SQL and builds the wanted schema in its sandbox now (the costly part of a
     * migration), reporting their errors; later calls, and every {@link #forDatabase} copy, reuse them.
     */
    public Migrator prepare() {
        prepared.wanted();
        prepared.pre();
        prepared.post();
        return this;
    }

    /**
     * A migrator with these settings for another database file, sharing this one's prepared schema
     * and scripts: a fleet of databases builds the wanted schema once. Safe for concurrent use.
     */
    public Migrator forDatabase(Path database) {
        prepare();
        Builder copy = config.copy();
        copy.database = Objects.requireNonNull(database, "database");
        copy.connection = null;
        copy.label = null;
        return new Migrator(copy, prepared);
    }

    /** The wanted schema and pre/post scripts, each read once on first use (shared by {@link #forDatabase} copies). */
    private static final class Prepared {
        private final Builder config;
        private WantedSchema wanted;
        private SchemaSource pre;
        private SchemaSource post;
        private boolean scriptsRead;

        Prepared(Builder config) {
            this.config = config;
        }

        synchronized WantedSchema wanted() {
            if (wanted == null) {
                WantedSchema loaded = WantedSchema.load(config.schema, config.sandbox);
                ReservedTables.refuseDeclared(config.schema);
                wanted = loaded;
            }
            return wanted;
        }

        synchronized SchemaSource pre() {
            readScripts();
            return pre;
        }

        synchronized SchemaSource post() {
            readScripts();
            return post;
        }

        private void readScripts() {
            if (scriptsRead) return;
            SchemaSource readPre = config.pre == null ? null : SchemaSource.script(config.pre);
            SchemaSource readPost = config.post == null ? null : SchemaSource.script(config.post);
            pre = readPre;
            post = readPost;
            scriptsRead = true;
        }
    }

    private LiveDatabase open() {
        if (config.connection != null) return LiveDatabase.wrap(config.connection, config.label);
        return LiveDatabase.open(config.database, config.createIfMissing, config.busyTimeout);
    }

    private static Plan plan(LiveDatabase db, WantedSchema wanted) {
        try {
            return Planner.plan(new Inspector(db.connection()).inspect(), wanted);
        } catch (SQLException e) {
            throw db.error("cannot plan the migration", e);
        }
    }

    private static List<LintFinding> lint(LiveDatabase db, Plan plan) {
        try {
            return new Linter(db.connection()).lint(plan);
        } catch (SQLException e) {
            throw db.error("cannot check the plan against the data", e);
        }
    }

    /**
     * A schema that declares nothing would drop every table; that is a truncated or wrong file far
     * more often than an intent, so it is refused even with --allow-deletions.
     */
    private static void refuseEmptySchema(LiveDatabase db, WantedSchema wanted, Plan plan) {
        if (!wanted.schema().isEmpty() || plan.changes().stream().noneMatch(c -> c instanceof Change.DropTable)) return;
        throw new KeelException(ErrorCode.BAD_INPUT, "the schema declares no table, view or trigger, so the plan would drop every table "
                + "of the database; refusing even with --allow-deletions", wanted.description(),
                "check that --schema names the right file or directory (this one is empty or holds only comments and other statements)");
    }

    private void refuseDeletions(LiveDatabase db, Plan plan) {
        List<String> deletions = plan.deletions();
        if (config.allowDeletions || deletions.isEmpty()) return;
        throw new KeelException(ErrorCode.REFUSED, "the plan deletes " + String.join(", ", deletions)
                + "; refusing without --allow-deletions", db.label(),
                "pass --allow-deletions (allowDeletions(true) in the API) to delete them and their data, "
                        + "or keep them in the schema (use --% renamed annotations for renames)");
    }

    private static void refuseFindings(LiveDatabase db, List<LintFinding> findings) {
        if (findings.isEmpty()) return;
        String list = findings.stream().map(f -> "  - " + f.message()).collect(Collectors.joining("\n"));
        String hints = findings.stream().map(LintFinding::hint).distinct().collect(Collectors.joining("; "));
        throw new KeelException(ErrorCode.REFUSED, "the plan would fail on existing data (nothing was changed):\n" + list,
                db.label(), hints);
    }

    /**
     * Plans again inside the transaction: a database that still differs from the wanted schema would
     * pass migrate and fail the next check, so the migration stops instead. It happens when pre or
     * post SQL changes how the plan's statements behave (PRAGMA legacy_alter_table keeps foreign keys
     * pointing at a renamed table's old name) or changes the schema itself.
     */
    private static void checkConverged(LiveDatabase db, WantedSchema wanted) {
        Plan left = plan(db, wanted);
        if (left.isEmpty()) return;
        throw new KeelException(ErrorCode.FAILURE, "after the plan ran, the database still differs from the wanted schema: "
                + String.join("; ", left.differences()) + "; Keel rolled the migration back, nothing was changed", db.label(),
                "pre or post SQL changed the schema or a setting the plan relies on (such as PRAGMA legacy_alter_table); "
                        + "move schema changes into the schema file and retry");
    }

    private static void checkForeignKeys(LiveDatabase db, Applier applier, int before) {
        List<String> violations = applier.foreignKeyViolations();
        if (violations.size() <= before) return;
        String shown = violations.stream().limit(10).collect(Collectors.joining("; "));
        throw new KeelException(ErrorCode.REFUSED, "the migration would leave " + violations.size()
                + " foreign key violations (" + before + " before): " + shown, db.label(),
                "nothing was changed; fix the referencing rows (for example in --pre SQL) and retry");
    }

    private interface Work {
        MigrationResult run();
    }

    /** Foreign keys off outside the transaction (SQLite ignores the pragma inside one), restored after. */
    private static MigrationResult withForeignKeysOff(LiveDatabase db, Work work) {
        boolean before;
        try {
            before = db.foreignKeys();
            if (before) db.foreignKeys(false);
        } catch (SQLException e) {
            throw db.error("cannot switch foreign keys off", e);
        }
        try {
            return work.run();
        } finally {
            try {
                if (before) db.foreignKeys(true);
            } catch (SQLException e) {
                // the connection is closed right after when Keel opened it; an application's connection keeps OFF
                org.slf4j.LoggerFactory.getLogger(Migrator.class).warn("could not restore foreign_keys=ON on {}", db.label(), e);
            }
        }
    }

    private static long millisSince(long start) {
        return (System.nanoTime() - start) / 1_000_000;
    }

    /** Settings of a {@link Migrator}; {@link #load()} checks them. */
    public static final class Builder {
        private Path database;
        private Connection connection;
        private String label;
        private SchemaSource schema;
        private Path pre;
        private Path post;
        private boolean allowDeletions;
        private boolean dryRun;
        private boolean createIfMissing;
        private Duration busyTimeout = Duration.ofSeconds(5);
        private Sandbox.Limits sandbox = Sandbox.Limits.DEFAULT;

        public Builder database(Path path) {
            this.database = path;
            return this;
        }

        /** Migrates through an open connection the application owns (autocommit on; it stays open). */
        public Builder connection(Connection connection, String label) {
            this.connection = connection;
            this.label = label;
            return this;
        }

        /** A schema file, or a directory of .sql files read in name order. */
        public Builder schema(Path path) {
            this.schema = SchemaSource.read(path);
            return this;
        }

        /** A schema given as text (for example a class-path resource); {@code name} appears in errors. */
        public Builder schema(String name, String sql) {
            this.schema = SchemaSource.of(name, sql);
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

        /** Run everything, then roll back: a rehearsal on real data. */
        public Builder dryRun(boolean dryRun) {
            this.dryRun = dryRun;
            return this;
        }

        /** Create the database when it does not exist (by default that is an error). */
        public Builder createIfMissing(boolean create) {
            this.createIfMissing = create;
            return this;
        }

        public Builder busyTimeout(Duration timeout) {
            this.busyTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /**
         * Time and size limits of the isolated in-memory database the schema is built in
         * ({@link Sandbox.Limits#DEFAULT}: 5 seconds, 64 MiB); a schema that needs more is refused.
         */
        public Builder sandbox(Sandbox.Limits limits) {
            this.sandbox = Objects.requireNonNull(limits, "limits");
            return this;
        }

        public Migrator load() {
            if (database == null && connection == null) {
                throw new KeelException(ErrorCode.USAGE, "no database given", null, "set database(path) or connection(...)");
            }
            if (schema == null) {
                throw new KeelException(ErrorCode.USAGE, "no schema given", null, "set schema(path) or schema(name, sql)");
            }
            Builder settings = copy();
            return new Migrator(settings, new Prepared(settings));
        }

        /** A snapshot of these settings: a loaded Migrator does not change when its builder is reused. */
        private Builder copy() {
            Builder b = new Builder();
            b.database = database;
            b.connection = connection;
            b.label = label;
            b.schema = schema;
            b.pre = pre;
            b.post = post;
            b.allowDeletions = allowDeletions;
            b.dryRun = dryRun;
            b.createIfMissing = createIfMissing;
            b.busyTimeout = busyTimeout;
            b.sandbox = sandbox;
            return b;
        }
    }
}

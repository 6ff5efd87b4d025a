package dev.keel.fleet.branch;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * What {@link Branches#create} makes: a copy of {@code source} at {@code to} that expires {@code ttl}
 * after it is handed over, optionally scrubbed by a SQL file or reduced to the schema.
 *
 * <pre>{@code
 * Branch b = Branches.create(BranchSpec.from(BranchSource.database(Path.of("app.db")))
 *         .to(Path.of("test.db")).ttl(Duration.ofHours(72)).scrub(Path.of("scrub.sql")).build());
 * }</pre>
 *
 * @param creator who the sidecar names as creator; null means {@code user@host} of this process
 * @param readFilesDirectly the source database is not open in this process, so a WAL-mode source may be
 *                          copied by reading its files directly (see {@link Builder#readFilesDirectly})
 */
public record BranchSpec(BranchSource source, Path to, Duration ttl, Path scrub, boolean schemaOnly, String creator,
                         boolean readFilesDirectly) {
    /** The longest time-to-live a branch may have: a branch is a throwaway, not a backup. */
    public static final Duration MAX_TTL = Duration.ofDays(365);
    public static final Duration DEFAULT_TTL = Duration.ofHours(72);

    public BranchSpec {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(to, "to");
        ttl = checkTtl(ttl == null ? DEFAULT_TTL : ttl);
    }

    /**
     * {@code ttl} when it is more than zero and at most {@link #MAX_TTL}; a USAGE error otherwise
     * (the value comes from the user, through a flag or an application's setting).
     */
    public static Duration checkTtl(Duration ttl) {
        if (ttl.isNegative() || ttl.isZero()) {
            throw new KeelException(ErrorCode.USAGE, "the time-to-live must be more than zero", "--ttl",
                    "give how long the branch may live, e.g. --ttl 72h or --ttl 30m");
        }
        if (ttl.compareTo(MAX_TTL) > 0) {
            throw new KeelException(ErrorCode.USAGE, "the time-to-live is longer than " + MAX_TTL.toDays() + " days", "--ttl",
                    "a branch is a throwaway copy: give at most 8760h, and extend it later with 'keel branch extend'");
        }
        return ttl;
    }

    public static Builder from(BranchSource source) {
        return new Builder(source);
    }

    /** Builds a {@link BranchSpec}; {@code to} is required, the time-to-live defaults to 72 hours. */
    public static final class Builder {
        private final BranchSource source;
        private Path to;
        private Duration ttl = DEFAULT_TTL;
        private Path scrub;
        private boolean schemaOnly;
        private String creator;
        private boolean readFilesDirectly;

        private Builder(BranchSource source) {
            this.source = Objects.requireNonNull(source, "source");
        }

        /** Where the branch appears; it must not exist (nor its -wal, -shm or -journal). */
        public Builder to(Path path) {
            this.to = path;
            return this;
        }

        public Builder ttl(Duration d) {
            this.ttl = d;
            return this;
        }

        /** SQL run on the copy before it is handed over (anonymize, trim); null for none. */
        public Builder scrub(Path sqlFile) {
            this.scrub = sqlFile;
            return this;
        }

        /** Copy the schema (tables, indexes, views, triggers, user_version) without any rows. */
        public Builder schemaOnly(boolean on) {
            this.schemaOnly = on;
            return this;
        }

        public Builder creator(String who) {
            this.creator = who;
            return this;
        }

        /**
         * True when no connection of this process has the source database open (a command-line run):
         * a live WAL-mode database is then copied by reading its files directly under one read
         * transaction, several times faster than SQLite's online backup. Off by default, because
         * closing a descriptor on a file drops every POSIX lock this process holds on it, including
         * those of an application's own SQLite connections.
         */
        public Builder readFilesDirectly(boolean on) {
            this.readFilesDirectly = on;
            return this;
        }

        public BranchSpec build() {
            return new BranchSpec(source, to, ttl, scrub, schemaOnly, creator, readFilesDirectly);
        }
    }
}

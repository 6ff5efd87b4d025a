package dev.keel.replication.api;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import java.util.function.Function;

/**
 * Two entries of a replication setup that would write to the same place: one database file under two
 * names, or two replicas (or a replica and Keel's local state) whose locations are equal or nested.
 * Replicating either way would mix two databases' generations, and a restore would return the other
 * database's rows. Found by {@link Overlaps#find}.
 *
 * @param first  the entry that comes first in the setup
 * @param second the later entry, the one to change
 */
public record Overlap(Kind kind, Entry first, Entry second) {

    /** What is shared. */
    public enum Kind {
        /** Two databases are one file (the same path, a symbolic link or a hard link). */
        SAME_DATABASE,
        /** Two replicas, or a replica and a local state directory, or two of those, share a location. */
        SHARED_LOCATION,
        /** A path entry's database is also matched by a dir entry, or two dir entries' trees meet. */
        IN_DIRECTORY
    }

    /** What an entry is. */
    public enum Role {
        DATABASE, META, REPLICA,
        /** A {@code dir:} entry; its location is the directory. */
        DIRECTORY
    }

    /**
     * One entry of the setup.
     *
     * @param database index of its database in the list given to {@link Overlaps#find}
     * @param replica  index of the replica in that database's list, or -1 for the database or its state
     * @param location where it is (a real path, or a URL-like description without credentials)
     */
    public record Entry(int database, int replica, Role role, String databasePath, String replicaName, String location) {
        /** How the Java API names the entry: "replica 'file' of /a.db (file:///x)". */
        public String describe() {
            return switch (role) {
                case DATABASE -> "database " + databasePath;
                case DIRECTORY -> "dir entry " + databasePath;
                case META -> "the local state of " + databasePath + " (" + location + ")";
                case REPLICA -> "replica '" + replicaName + "' of " + databasePath + " (" + location + ")";
            };
        }
    }

    /** The message, naming each entry with {@code label}. */
    public String message(Function<Entry, String> label) {
        if (kind == Kind.SAME_DATABASE) {
            return label.apply(first) + " and " + label.apply(second) + " are the same database file (" + second.location() + ")";
        }
        if (kind == Kind.IN_DIRECTORY) {
            return label.apply(first) + " and " + label.apply(second) + " both follow the databases at "
                    + (second.role() == Role.DIRECTORY && first.role() == Role.DIRECTORY
                    ? first.location() + " and " + second.location() : first.location());
        }
        String where = first.location().equals(second.location()) ? "both at " + first.location()
                : first.location() + " and " + second.location() + " are nested";
        return label.apply(first) + " and " + label.apply(second) + " write to overlapping locations (" + where + ")";
    }

    /** What to do about it. */
    public String hint() {
        if (kind == Kind.SAME_DATABASE) {
            return "list each database once: a symbolic or hard link to a listed database is the same database,"
                    + " and two replicators on one file would corrupt its replicas";
        }
        if (kind == Kind.IN_DIRECTORY) {
            return "replicate each database from one entry: move the database out of the directory, narrow the dir"
                    + " entry's pattern, or give dir entries directories apart (neither inside a recursive one)";
        }
        if (first.role() == Role.META || second.role() == Role.META) {
            return "keep Keel's local state (meta-path) apart from every replica and from other databases' state";
        }
        return "give each replica its own directory or key prefix, neither inside another's: replicas that share one"
                + " mix their databases' generations, and a restore returns the other database's rows";
    }

    /** This overlap as the BAD_INPUT error the replicator throws, entries named as the Java API sees them. */
    public KeelException toException() {
        return new KeelException(ErrorCode.BAD_INPUT, message(Entry::describe), second.databasePath(), hint());
    }
}

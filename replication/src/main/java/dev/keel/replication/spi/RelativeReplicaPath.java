package dev.keel.replication.spi;

/**
 * Checks a database's relative path inside a fleet's replica prefix (which is also where it is
 * restored below an output directory). Such names come from storage listings, which are untrusted
 * input: only plain relative paths of ordinary components are accepted.
 */
public final class RelativeReplicaPath {
    /** Deeper paths are refused: no real directory tree needs more, and bounded input stays bounded. */
    public static final int MAX_DEPTH = 32;
    public static final int MAX_LENGTH = 1024;
    private static final int MAX_COMPONENT = 255;

    private RelativeReplicaPath() {
    }

    /** Why {@code path} cannot name a database below a prefix, or null when it can. */
    public static String problem(String path) {
        if (path == null || path.isEmpty()) return "the path is empty";
        if (path.length() > MAX_LENGTH) return "the path is longer than " + MAX_LENGTH + " characters";
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c == 0) return "the path contains a NUL character";
            if (c < 0x20 || c == 0x7f) return "the path contains a control character";
            if (c == '\\') return "the path contains a backslash";
        }
        if (path.startsWith("/")) return "the path is absolute";
        if (path.length() >= 2 && path.charAt(1) == ':' && Character.isLetter(path.charAt(0))) {
            return "the path starts with a drive letter";
        }
        String[] parts = path.split("/", -1);
        if (parts.length > MAX_DEPTH) return "the path is deeper than " + MAX_DEPTH + " directories";
        for (String part : parts) {
            if (part.isEmpty()) return "the path has an empty component";
            if (part.equals(".") || part.equals("..")) return "the path has a '" + part + "' component";
            if (part.length() > MAX_COMPONENT) return "a component is longer than " + MAX_COMPONENT + " characters";
        }
        String last = parts[parts.length - 1];
        // Restored beside a database of the same stem, such a file is what SQLite reads as that
        // database's WAL, shared memory or rollback journal.
        if (last.endsWith("-wal") || last.endsWith("-shm") || last.endsWith("-journal")) {
            return "the name ends in -wal, -shm or -journal, which SQLite would take for another database's companion file";
        }
        return null;
    }
}

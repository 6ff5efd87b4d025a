package dev.keel.schema.apply;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Says which processes hold locks on a database (its file, -wal and -shm), read from Linux's
 * /proc/locks; elsewhere, or when that cannot be read, it says nothing.
 */
public final class LockHolders {
    private LockHolders() {
    }

    /** "pid 123 (java -jar app.jar), pid 456 (sqlite3 app.db)", or an empty string when unknown. */
    public static String describe(Path db) {
        Path locks = Path.of("/proc/locks");
        if (!Files.isReadable(locks)) return "";
        Set<Long> inodes = new LinkedHashSet<>();
        for (String suffix : List.of("", "-wal", "-shm")) {
            Path p = Path.of(db + suffix);
            try {
                if (Files.exists(p)) inodes.add(((Number) Files.getAttribute(p, "unix:ino")).longValue());
            } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
                return "";
            }
        }
        Set<String> pids = new LinkedHashSet<>();
        try {
            for (String line : Files.readAllLines(locks, StandardCharsets.UTF_8)) {
                String[] f = line.trim().split("\\s+");
                // "1: POSIX  ADVISORY  WRITE 1234 08:01:5678 0 EOF" (a "->" marks a waiter)
                if (f.length < 6 || "->".equals(f[1])) continue;
                String[] dev = f[5].split(":");
                if (dev.length != 3) continue;
                if (inodes.contains(Long.parseLong(dev[2])) && !"-1".equals(f[4])) pids.add(f[4]);
            }
        } catch (IOException | NumberFormatException e) {
            return "";
        }
        List<String> out = new ArrayList<>();
        long self = ProcessHandle.current().pid();
        for (String pid : pids) {
            if (Long.toString(self).equals(pid)) {
                out.add("pid " + pid + " (this process)");
                continue;
            }
            out.add("pid " + pid + command(pid));
        }
        return String.join(", ", out);
    }

    private static String command(String pid) {
        try {
            byte[] raw = Files.readAllBytes(Path.of("/proc", pid, "cmdline"));
            String cmd = new String(raw, StandardCharsets.UTF_8).replace('\0', ' ').trim();
            if (cmd.length() > 80) cmd = cmd.substring(0, 77) + "...";
            return cmd.isEmpty() ? "" : " (" + cmd + ")";
        } catch (IOException | SecurityException e) {
            return "";
        }
    }
}

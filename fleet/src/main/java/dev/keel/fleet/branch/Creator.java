package dev.keel.fleet.branch;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** {@code user@host} of this process, found without a DNS lookup (which can hang for seconds). */
final class Creator {
    private Creator() {
    }

    static String current() {
        String user = System.getProperty("user.name", "unknown");
        return user + "@" + host();
    }

    private static String host() {
        for (String var : new String[] {"HOSTNAME", "COMPUTERNAME"}) {
            String v = System.getenv(var);
            if (v != null && !v.isBlank()) return v.strip();
        }
        try {
            Path kernel = Path.of("/proc/sys/kernel/hostname");
            if (Files.isReadable(kernel)) {
                String h = new String(Files.readAllBytes(kernel), StandardCharsets.UTF_8).strip();
                if (!h.isEmpty() && h.length() < 256) return h;
            }
        } catch (IOException ignored) {
            // fall through to "localhost"
        }
        return "localhost";
    }
}

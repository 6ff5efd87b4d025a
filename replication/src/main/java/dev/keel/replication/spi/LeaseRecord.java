package dev.keel.replication.spi;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What a replica's lease object says: who holds it and until when (the holder's clock), or that its
 * holder released it. Stored as a few {@code key=value} lines, readable with {@code cat}.
 */
public record LeaseRecord(LeaseHolder holder, Instant expires, boolean released) {
    private static final String MAGIC = "keel-lease 1";

    public LeaseRecord {
        Objects.requireNonNull(holder, "holder");
        Objects.requireNonNull(expires, "expires");
    }

    /** True when no one holds the lease at {@code now}: released, or past its expiry. */
    public boolean freeAt(Instant now) {
        return released || now.isAfter(expires);
    }

    public byte[] encode() {
        String text = MAGIC + "\nhost=" + holder.host() + "\npid=" + holder.pid() + "\nstarted=" + holder.started()
                + "\ntoken=" + holder.token() + "\nexpires=" + expires + "\nreleased=" + released + "\n";
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** Reads a lease object; an IOException naming {@code where} when it is not one Keel wrote. */
    public static LeaseRecord parse(byte[] bytes, String where) throws IOException {
        String text = new String(bytes, StandardCharsets.UTF_8);
        String[] lines = text.split("\n");
        if (bytes.length > ConditionalObjects.MAX_BYTES || lines.length == 0 || !lines[0].equals(MAGIC)) {
            throw new IOException("the lease object at " + where + " is not a Keel lease; remove it if no replicator writes this replica");
        }
        Map<String, String> values = new HashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int eq = lines[i].indexOf('=');
            if (eq > 0) values.put(lines[i].substring(0, eq), lines[i].substring(eq + 1));
        }
        try {
            LeaseHolder holder = new LeaseHolder(values.getOrDefault("host", "?"), Long.parseLong(values.get("pid")),
                    Instant.parse(values.get("started")), values.get("token"));
            return new LeaseRecord(holder, Instant.parse(values.get("expires")), Boolean.parseBoolean(values.get("released")));
        } catch (RuntimeException e) { // NumberFormat, DateTimeParse, IllegalArgument, NullPointer
            throw new IOException("the lease object at " + where + " is damaged (" + e.getMessage()
                    + "); remove it if no replicator writes this replica", e instanceof DateTimeParseException ? e : null);
        }
    }

    @Override
    public String toString() {
        return holder + (released ? ", released " : ", until ") + expires;
    }
}

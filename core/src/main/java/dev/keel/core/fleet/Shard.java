package dev.keel.core.fleet;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * A stable share of a fleet ({@code --shard I/N}): a database belongs to shard
 * {@code hash(relative path) mod N}, so N hosts or pods (a Kubernetes Indexed Job passes its completion
 * index as I) split a fleet without talking to each other, and a database stays in its shard as
 * others come and go.
 */
public record Shard(int index, int count) {
    public static final Shard ALL = new Shard(0, 1);
    public static final int MAX_COUNT = 1_000_000;

    public Shard {
        if (count < 1 || count > MAX_COUNT || index < 0 || index >= count) {
            throw invalid(index + "/" + count);
        }
    }

    /** Parses {@code I/N} with {@code 0 <= I < N}. */
    public static Shard parse(String text) {
        String[] parts = text == null ? new String[0] : text.trim().split("/", -1);
        if (parts.length != 2 || !parts[0].matches("[0-9]{1,7}") || !parts[1].matches("[0-9]{1,7}")) {
            throw invalid(text);
        }
        int index = Integer.parseInt(parts[0]);
        int count = Integer.parseInt(parts[1]);
        if (count < 1 || count > MAX_COUNT || index >= count) throw invalid(text);
        return new Shard(index, count);
    }

    private static KeelException invalid(String text) {
        return new KeelException(ErrorCode.USAGE, "shard '" + text + "' is not I/N with 0 <= I < N <= " + MAX_COUNT,
                "--shard", "give the share as I/N, e.g. --shard 0/4 ... --shard 3/4 on four hosts");
    }

    /** Does the database at this relative path (with '/' separators) belong to this shard? */
    public boolean contains(String relativeName) {
        if (count == 1) return true;
        return Long.remainderUnsigned(hash(relativeName), count) == index;
    }

    private static long hash(String relativeName) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(relativeName.getBytes(StandardCharsets.UTF_8));
            long h = 0;
            for (int i = 0; i < 8; i++) h = (h << 8) | (digest[i] & 0xff);
            return h;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    @Override
    public String toString() {
        return index + "/" + count;
    }
}

package dev.keel.replication.api;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * One unbroken lineage of WAL for a database: 16 lowercase hex characters, random, new whenever
 * continuity with the previous lineage is lost.
 */
public record Generation(String id) implements Comparable<Generation> {
    private static final Pattern NAME = Pattern.compile("[0-9a-f]{16}");
    private static final SecureRandom RANDOM = new SecureRandom();

    public Generation {
        if (id == null || !NAME.matcher(id).matches()) {
            throw new IllegalArgumentException("generation must be 16 lowercase hex characters: " + id);
        }
    }

    /** A fresh random generation. */
    public static Generation random() {
        byte[] bytes = new byte[8];
        RANDOM.nextBytes(bytes);
        return new Generation(HexFormat.of().formatHex(bytes));
    }

    /** True when {@code name} is a well-formed generation name (replica names are untrusted input). */
    public static boolean isValid(String name) {
        return name != null && NAME.matcher(name).matches();
    }

    public static Generation parse(String name) {
        return new Generation(name);
    }

    @Override
    public int compareTo(Generation other) {
        return id.compareTo(other.id);
    }

    @Override
    public String toString() {
        return id;
    }
}

package dev.keel.cli.config;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sizes in config files ({@code 512MB}, {@code 1GiB}, {@code 1048576}), read like the go-humanize
 * library Go tools use: {@code KB, MB, GB, TB} are powers of 1000, {@code KiB, MiB, GiB, TiB} powers
 * of 1024, case-insensitive, a bare number is bytes.
 */
public final class ByteSize {
    private static final Pattern SYNTAX = Pattern.compile("([0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)\\s*([a-z]*)");
    private static final Map<String, Long> UNITS = Map.ofEntries(
            Map.entry("", 1L), Map.entry("b", 1L),
            Map.entry("k", 1_000L), Map.entry("kb", 1_000L), Map.entry("ki", 1L << 10), Map.entry("kib", 1L << 10),
            Map.entry("m", 1_000_000L), Map.entry("mb", 1_000_000L), Map.entry("mi", 1L << 20), Map.entry("mib", 1L << 20),
            Map.entry("g", 1_000_000_000L), Map.entry("gb", 1_000_000_000L), Map.entry("gi", 1L << 30),
            Map.entry("gib", 1L << 30),
            Map.entry("t", 1_000_000_000_000L), Map.entry("tb", 1_000_000_000_000L), Map.entry("ti", 1L << 40),
            Map.entry("tib", 1L << 40));

    private ByteSize() {
    }

    /**
     * Parses a size into bytes (fractions round down to whole bytes).
     *
     * @throws IllegalArgumentException saying what is wrong, for messages that already name the value
     */
    public static long parse(String text) {
        String s = text.strip().toLowerCase(Locale.ROOT);
        if (s.startsWith("-")) throw new IllegalArgumentException("a size cannot be negative");
        if (s.length() > 40) throw new IllegalArgumentException("too long to be a size");
        Matcher m = SYNTAX.matcher(s);
        if (!m.matches()) throw new IllegalArgumentException("expected a number with an optional unit");
        Long unit = UNITS.get(m.group(2));
        if (unit == null) {
            throw new IllegalArgumentException("unknown unit '" + m.group(2) + "' (use B, KB, MB, GB, TB, KiB, MiB, GiB or TiB)");
        }
        BigDecimal bytes = new BigDecimal(m.group(1).endsWith(".") ? m.group(1) + "0" : m.group(1))
                .multiply(BigDecimal.valueOf(unit));
        if (bytes.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) throw new IllegalArgumentException("too large");
        return bytes.longValue();
    }

    /**
     * A size as people read it, in the largest binary unit that holds it whole ({@code 448MiB}, {@code 672KiB},
     * {@code 1000 bytes}), or to a tenth of the largest unit below it otherwise ({@code 953.7MiB}).
     */
    public static String format(long bytes) {
        String[] units = {"TiB", "GiB", "MiB", "KiB"};
        for (int i = 0; i < units.length; i++) {
            long unit = 1L << (40 - 10 * i);
            if (bytes >= unit && bytes % unit == 0) return bytes / unit + units[i];
        }
        for (int i = 0; i < units.length; i++) {
            long unit = 1L << (40 - 10 * i);
            if (bytes >= unit) return String.format(java.util.Locale.ROOT, "%.1f%s", (double) bytes / unit, units[i]);
        }
        return bytes + " bytes";
    }
}

package dev.keel.cli.config;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.Map;

/**
 * Durations written as Go's {@code time.ParseDuration} reads them ({@code 1s}, {@code 500ms},
 * {@code 1h30m}, {@code 1.5h}), because Litestream config files and flags use that syntax; and
 * formatted as Go's {@code Duration.String()} writes them ({@code 24h0m0s}).
 */
public final class GoDuration {
    private static final Map<String, Long> UNITS = Map.of(
            "ns", 1L,
            "us", 1_000L,
            "\u00b5s", 1_000L,
            "\u03bcs", 1_000L,
            "ms", 1_000_000L,
            "s", 1_000_000_000L,
            "m", 60_000_000_000L,
            "h", 3_600_000_000_000L);
    private static final BigInteger MAX = BigInteger.valueOf(Long.MAX_VALUE);

    private GoDuration() {
    }

    /**
     * Parses {@code [-+]?([0-9]*(\.[0-9]*)?[a-z]+)+} or a lone {@code 0}.
     *
     * @throws IllegalArgumentException saying what is wrong, for messages that already name the value
     */
    public static Duration parse(String text) {
        String s = text;
        boolean negative = false;
        if (!s.isEmpty() && (s.charAt(0) == '-' || s.charAt(0) == '+')) {
            negative = s.charAt(0) == '-';
            s = s.substring(1);
        }
        if (s.equals("0")) return Duration.ZERO;
        if (s.isEmpty()) throw new IllegalArgumentException("empty duration");
        BigInteger total = BigInteger.ZERO;
        int i = 0;
        while (i < s.length()) {
            int start = i;
            while (i < s.length() && isDigit(s.charAt(i))) i++;
            boolean whole = i > start;
            int fractionStart = i;
            if (i < s.length() && s.charAt(i) == '.') {
                i++;
                while (i < s.length() && isDigit(s.charAt(i))) i++;
            }
            boolean fraction = i > fractionStart + 1;
            if (!whole && !fraction) {
                throw new IllegalArgumentException("expected a number at '" + cut(s.substring(start)) + "'");
            }
            String number = s.substring(start, i);
            int unitStart = i;
            while (i < s.length() && s.charAt(i) != '.' && !isDigit(s.charAt(i))) i++;
            if (i == unitStart) {
                throw new IllegalArgumentException("missing unit after " + cut(number)
                        + " (use ns, us, ms, s, m or h, e.g. " + cut(number) + "s)");
            }
            String unit = s.substring(unitStart, i);
            Long nanos = UNITS.get(unit);
            if (nanos == null) {
                throw new IllegalArgumentException("unknown unit '" + cut(unit) + "' (use ns, us, ms, s, m or h)");
            }
            BigDecimal value = decimal(number);
            total = total.add(value.multiply(BigDecimal.valueOf(nanos)).setScale(0, RoundingMode.DOWN).toBigInteger());
            if (total.compareTo(MAX) > 0) throw new IllegalArgumentException("duration too long");
        }
        long n = total.longValueExact();
        return Duration.ofNanos(negative ? -n : n);
    }

    /** Go's {@code Duration.String()}: {@code 0s}, {@code 500ms}, {@code 1.5s}, {@code 1m30s}, {@code 24h0m0s}. */
    public static String format(Duration duration) {
        if (duration.isZero()) return "0s";
        boolean negative = duration.isNegative();
        BigInteger nanos = BigInteger.valueOf(duration.getSeconds()).multiply(BigInteger.valueOf(1_000_000_000L))
                .add(BigInteger.valueOf(duration.getNano())).abs();
        String sign = negative ? "-" : "";
        if (nanos.compareTo(BigInteger.valueOf(1_000_000_000L)) < 0) {
            long n = nanos.longValue();
            if (n < 1_000) return sign + n + "ns";
            if (n < 1_000_000) return sign + decimal(n, 1_000) + "\u00b5s";
            return sign + decimal(n, 1_000_000) + "ms";
        }
        BigInteger[] hours = nanos.divideAndRemainder(BigInteger.valueOf(UNITS.get("h")));
        BigInteger[] minutes = hours[1].divideAndRemainder(BigInteger.valueOf(UNITS.get("m")));
        String seconds = decimal(minutes[1].longValue(), 1_000_000_000L) + "s";
        StringBuilder out = new StringBuilder(sign);
        if (hours[0].signum() > 0) out.append(hours[0]).append('h');
        if (hours[0].signum() > 0 || minutes[0].signum() > 0) out.append(minutes[0]).append('m');
        return out.append(seconds).toString();
    }

    /**
     * The number as a decimal, refusing more whole digits than any duration has and dropping fraction
     * digits below a nanosecond's precision: a megabyte of digits must not cost seconds to parse.
     */
    private static BigDecimal decimal(String number) {
        int dot = number.indexOf('.');
        String whole = (dot < 0 ? number : number.substring(0, dot)).replaceFirst("^0+", "");
        String fraction = dot < 0 ? "" : number.substring(dot + 1);
        if (whole.length() > 20) throw new IllegalArgumentException("duration too long");
        if (fraction.length() > 20) fraction = fraction.substring(0, 20);
        return new BigDecimal((whole.isEmpty() ? "0" : whole) + (fraction.isEmpty() ? "" : "." + fraction));
    }

    private static String decimal(long value, long unit) {
        return BigDecimal.valueOf(value).divide(BigDecimal.valueOf(unit)).stripTrailingZeros().toPlainString();
    }

    /** Part of the input as a message quotes it: a few characters are enough to recognize it. */
    private static String cut(String s) {
        return s.length() <= 20 ? s : s.substring(0, 20) + "...";
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}

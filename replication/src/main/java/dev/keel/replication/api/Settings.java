package dev.keel.replication.api;

import java.time.Duration;

/**
 * The bounds every timing of the engine shares, checked in the config records' constructors so the
 * Java API, the command line and the config file accept exactly the same values. Loops are scheduled
 * in whole milliseconds, so an interval must be at least 1 ms; the upper bound is Go's longest
 * duration (what Litestream's config syntax can express).
 */
final class Settings {
    static final Duration MIN_INTERVAL = Duration.ofMillis(1);
    static final Duration MAX_INTERVAL = Duration.ofNanos(Long.MAX_VALUE);

    private Settings() {
    }

    /** {@code value} when it is within the bounds; null stays null. */
    static Duration interval(String setting, Duration value) {
        if (value == null) return null;
        if (value.compareTo(MIN_INTERVAL) < 0) {
            throw new InvalidSettingException(setting, "must be at least 1ms", value);
        }
        if (value.compareTo(MAX_INTERVAL) > 0) {
            throw new InvalidSettingException(setting, "must be at most 2562047h47m16.854775807s", value);
        }
        return value;
    }

    /** A count where 0 means "the default" and below 0 means nothing. */
    static int count(String setting, int value, int defaultValue) {
        if (value < 0) throw new InvalidSettingException(setting, "must be greater than zero", value);
        return value == 0 ? defaultValue : value;
    }
}

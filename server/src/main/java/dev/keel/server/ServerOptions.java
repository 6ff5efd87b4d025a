package dev.keel.server;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import dev.keel.core.Redactor;
import java.time.Duration;
import java.util.Objects;

/**
 * How the operations server runs.
 *
 * @param address     where it listens
 * @param readyWithin {@code /readyz} answers 200 while every replica of every database holds every commit
 *                    older than this; a database over it is "lagging" on the status page
 * @param detail      which databases get series of their own in {@code /metrics}
 * @param redactor    hides secrets in anything served (errors, replica locations)
 */
public record ServerOptions(ListenAddress address, Duration readyWithin, MetricsDetail detail, Redactor redactor) {
    public static final Duration DEFAULT_READY_WITHIN = Duration.ofMinutes(1);
    public static final Duration MAX_READY_WITHIN = Duration.ofDays(7);

    public ServerOptions {
        Objects.requireNonNull(address, "address");
        readyWithin = readyWithin == null ? DEFAULT_READY_WITHIN : readyWithin;
        detail = detail == null ? MetricsDetail.ALL : detail;
        redactor = redactor == null ? Redactor.URLS : redactor;
        if (readyWithin.isNegative() || readyWithin.isZero() || readyWithin.compareTo(MAX_READY_WITHIN) > 0) {
            throw new KeelException(ErrorCode.USAGE, "ready-within " + readyWithin + " is out of range", null,
                    "give a duration above 0 and at most 168h, e.g. 1m");
        }
    }

    public static ServerOptions at(ListenAddress address) {
        return new ServerOptions(address, null, null, null);
    }
}

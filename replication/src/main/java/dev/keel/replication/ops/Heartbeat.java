package dev.keel.replication.ops;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import dev.keel.core.Redactor;
import dev.keel.replication.spi.ReplicationListener;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A dead man's switch for replication (Litestream 0.5's {@code heartbeat-url}): an HTTP GET to a URL
 * every interval, sent only while every database is replicated within that interval (see
 * {@link ReplicationHealth}). A monitoring service that expects the ping (healthchecks.io, Cronitor,
 * Uptime Kuma, ...) then alerts when replication falls behind or the process stops. A failed ping is
 * logged and counted, never fatal. The URL's password and query credentials never reach the log.
 *
 * <pre>{@code
 * Heartbeat heartbeat = Heartbeat.to(URI.create("https://hc-ping.com/UUID")).every(Duration.ofMinutes(5));
 * try (Replicator r = Replicator.configure().databases(dbs).listener(heartbeat.listener()).start()) {
 *     heartbeat.start();
 *     ...
 * } finally {
 *     heartbeat.close();
 * }
 * }</pre>
 */
public final class Heartbeat implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Heartbeat.class);
    /** Litestream's default interval. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofMinutes(5);
    /** The shortest interval: a monitoring service needs no more, and pings cost the service. */
    public static final Duration MIN_INTERVAL = Duration.ofMinutes(1);
    /** How often health is checked at most (a ping goes out within this much of being due). */
    static final Duration MAX_CHECK = Duration.ofSeconds(15);
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
    /** Not API: lets tests use intervals under a minute (milliseconds). */
    static final String MIN_INTERVAL_PROPERTY = "keel.internal.heartbeat-min-interval-ms";

    private final URI original;
    private final URI url;
    private final String authorization;
    private final String shown;
    private final Redactor redactor;
    private final Duration interval;
    private final ReplicationHealth health = new ReplicationHealth();
    private final AtomicLong pings = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private HttpClient client;
    private ScheduledExecutorService timer;
    private long lastPingNanos;
    private boolean pinged;
    private boolean withheld;
    private boolean failing;

    private Heartbeat(URI url, Duration interval) {
        this.original = url;
        String credentials = url.getUserInfo(); // decoded
        String password = credentials == null || credentials.indexOf(':') < 0 ? null : credentials.substring(credentials.indexOf(':') + 1);
        this.redactor = Redactor.URLS.with(password == null ? List.of() : List.of(password));
        this.shown = redactor.redact(url.toString());
        this.url = withoutUserInfo(url);
        // Basic authentication from the URL's user info, as Go's HTTP client (and so Litestream) sends it.
        if (credentials != null && credentials.indexOf(':') < 0) credentials += ":"; // a user without a password
        this.authorization = credentials == null ? null
                : "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8));
        this.interval = interval;
    }

    /**
     * A heartbeat to {@code url} (http or https), every {@link #DEFAULT_INTERVAL} until {@link #every} says
     * otherwise; throws a BAD_INPUT {@link KeelException} for any other URL.
     */
    public static Heartbeat to(URI url) {
        return new Heartbeat(check(url), DEFAULT_INTERVAL);
    }

    /** The same heartbeat with another interval; at least {@link #MIN_INTERVAL}, else BAD_INPUT. */
    public Heartbeat every(Duration newInterval) {
        if (newInterval == null || newInterval.compareTo(minimumInterval()) < 0) {
            throw new KeelException(ErrorCode.BAD_INPUT, "the heartbeat interval must be at least 1 minute, not "
                    + (newInterval == null ? "none" : human(newInterval)),
                    shown, "use 1m or more (the default is 5m), e.g. heartbeat-interval: 5m");
        }
        return new Heartbeat(original, newInterval);
    }

    static Duration minimumInterval() {
        String ms = System.getProperty(MIN_INTERVAL_PROPERTY);
        return ms == null ? MIN_INTERVAL : Duration.ofMillis(Long.parseLong(ms));
    }

    private static URI check(URI url) {
        String scheme = url == null || url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if ((!scheme.equals("http") && !scheme.equals("https")) || url.getHost() == null || url.getHost().isEmpty()) {
            throw new KeelException(ErrorCode.BAD_INPUT, "the heartbeat URL must be an http or https URL with a host",
                    url == null ? null : Redactor.urls(url.toString()),
                    "give the URL your monitoring service pings, e.g. https://hc-ping.com/<uuid>");
        }
        return url;
    }

    private static URI withoutUserInfo(URI url) {
        if (url.getRawUserInfo() == null) return url;
        String s = url.toString();
        int at = s.indexOf('@', s.indexOf("//") + 2);
        return URI.create(s.substring(0, s.indexOf("//") + 2) + s.substring(at + 1));
    }

    public Duration interval() {
        return interval;
    }

    /** The listener to register with the replicator, through which the heartbeat learns what is replicated. */
    public ReplicationListener listener() {
        return health;
    }

    /** Pings sent and answered with a 2xx status. */
    public long pings() {
        return pings.get();
    }

    /** Pings that failed (no answer within the timeouts, or a status other than 2xx). */
    public long failures() {
        return failures.get();
    }

    /** Starts checking health and pinging on a thread of its own (a slow monitoring service never delays replication). */
    public synchronized void start() {
        if (timer != null) return;
        client = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).followRedirects(HttpClient.Redirect.NORMAL).build();
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "keel-heartbeat");
            t.setDaemon(true);
            return t;
        });
        long check = Math.max(1, Math.min(MAX_CHECK.toMillis(), interval.toMillis() / 4));
        timer.scheduleWithFixedDelay(this::tick, check, check, TimeUnit.MILLISECONDS);
        LOG.info("heartbeat: pinging {} every {} while every database is replicated within it", shown, human(interval));
    }

    /** One check: ping when due and everything is replicated. Never throws (a scheduled task that throws stops). */
    void tick() {
        try {
            ReplicationHealth.Verdict verdict = health.check(interval);
            if (verdict instanceof ReplicationHealth.Verdict.Lagging lag) {
                if (!withheld) {
                    withheld = true;
                    LOG.atWarn().addKeyValue("db", String.valueOf(lag.db())).addKeyValue("replica", lag.replica())
                            .log("heartbeat withheld: {}{} has not acknowledged WAL committed {} ago (it holds {})", lag.db(),
                                    lag.replica() == null ? "" : " replica " + lag.replica(), human(lag.behind()),
                                    lag.position() == null ? "nothing yet" : lag.position());
                }
                return;
            }
            if (withheld) {
                withheld = false;
                LOG.info("heartbeat: every database is replicated again; pings resume");
            }
            if (pinged && System.nanoTime() - lastPingNanos < interval.toNanos()) return;
            ping();
        } catch (RuntimeException e) {
            LOG.warn("heartbeat: check failed: {}", redactor.redact(String.valueOf(e.getMessage())));
        }
    }

    private void ping() {
        HttpRequest.Builder request = HttpRequest.newBuilder(url).GET().timeout(REQUEST_TIMEOUT)
                .header("User-Agent", "keel");
        if (authorization != null) request.header("Authorization", authorization);
        String problem;
        try {
            int status = client.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
            problem = status / 100 == 2 ? null : "HTTP status " + status;
        } catch (IOException e) {
            problem = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        if (problem == null) {
            pings.incrementAndGet();
            pinged = true;
            lastPingNanos = System.nanoTime();
            if (failing) LOG.info("heartbeat: {} answers again", shown);
            failing = false;
            return;
        }
        long n = failures.incrementAndGet();
        if (!failing) { // once per outage of the monitoring service, then every 10 failures
            LOG.warn("heartbeat: ping to {} failed, will retry: {}", shown, redactor.redact(problem));
        } else if (n % 10 == 0) {
            LOG.warn("heartbeat: ping to {} still failing ({} failures so far): {}", shown, n, redactor.redact(problem));
        }
        failing = true;
    }

    private static String human(Duration d) {
        long s = d.toSeconds();
        if (s == 0) return d.toMillis() + "ms";
        return s % 60 == 0 ? (s / 60) + "m" : s >= 60 ? (s / 60) + "m" + (s % 60) + "s" : s + "s";
    }

    /** Stops checking and pinging. */
    @Override
    public synchronized void close() {
        if (timer != null) timer.shutdownNow();
    }
}

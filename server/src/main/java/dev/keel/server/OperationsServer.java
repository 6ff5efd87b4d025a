package dev.keel.server;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import dev.keel.replication.Replicator;
import dev.keel.replication.spi.ReplicationListener;
import io.prometheus.metrics.exporter.httpserver.MetricsHandler;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP server of {@code keel replicate}'s {@code addr}: {@code /metrics} (Prometheus text format
 * through the Prometheus client's registry and handler), {@code /healthz}, {@code /readyz}, the status
 * page at {@code /} and its data at {@code /api/databases}. It sees the engine only through
 * {@link #listener()}, which the replicator is given.
 *
 * <pre>{@code
 * try (OperationsServer ops = OperationsServer.start(ServerOptions.at(ListenAddress.parse(":9090")));
 *      Replicator r = Replicator.configure().databases(dbs).listener(ops.listener()).start()) { ... }
 * }</pre>
 */
public final class OperationsServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OperationsServer.class);
    /** The loops tick every monitor interval; this long without a tick means they stopped. */
    static final long STALLED_NANOS = 60_000_000_000L;
    private static final int MAX_NAMES_LISTED = 100;

    private final HttpServer http;
    private final ExecutorService executor;
    private final FleetState state;
    private final ServerOptions options;
    private final SyncEndpoint sync;

    private OperationsServer(HttpServer http, ExecutorService executor, FleetState state, ServerOptions options) {
        this.http = http;
        this.executor = executor;
        this.state = state;
        this.options = options;
        this.sync = new SyncEndpoint(options.redactor());
    }

    /**
     * Binds and starts serving. A port in use is an IO {@link KeelException} naming the address (exit 74);
     * a host that does not resolve to a local address is a USAGE one (exit 64).
     */
    public static OperationsServer start(ServerOptions options) {
        InetSocketAddress address = options.address().socketAddress();
        if (address.isUnresolved()) {
            throw new KeelException(ErrorCode.USAGE, "cannot listen on " + options.address() + ": unknown host",
                    options.address().toString(), ListenAddress.HINT);
        }
        HttpServer http;
        try {
            http = HttpServer.create(address, 64);
        } catch (BindException e) {
            throw new KeelException(ErrorCode.IO, "cannot listen on " + options.address() + ": " + e.getMessage(),
                    options.address().toString(), "another process uses this port (another keel or litestream?); stop it or"
                    + " choose another addr, e.g. '127.0.0.1:9091'", e);
        } catch (IOException e) {
            throw new KeelException(ErrorCode.IO, "cannot listen on " + options.address() + ": " + e.getMessage(),
                    options.address().toString(), ListenAddress.HINT, e);
        }
        FleetState state = new FleetState(options.redactor());
        PrometheusRegistry registry = new PrometheusRegistry();
        registry.register(new MetricsCollector(state, options));
        AtomicInteger n = new AtomicInteger();
        ExecutorService executor = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "keel-http-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        OperationsServer server = new OperationsServer(http, executor, state, options);
        MetricsHandler metrics = new MetricsHandler(registry);
        http.createContext("/metrics", getOnly(metrics::handle));
        http.createContext("/healthz", getOnly(server::health));
        http.createContext("/readyz", getOnly(server::ready));
        http.createContext("/api/databases", getOnly(server::databases));
        http.createContext("/sync", exchange -> {
            try (exchange) {
                server.sync.handle(exchange);
            } catch (IOException | RuntimeException e) {
                LOG.debug("request /sync failed", e);
            }
        });
        http.createContext("/", getOnly(server::page));
        http.setExecutor(executor);
        http.start();
        LOG.info("serving /metrics, /healthz, /readyz, /sync and the status page on http://{}/", server.describe());
        return server;
    }

    /**
     * Answers {@code POST /sync?db=PATH&wait=10s} with {@code replicator} from now on (503 before): the
     * request returns once the database's commits so far are on every replica.
     */
    public void serveSync(Replicator replicator) {
        sync.serve(replicator);
    }

    /** The listener to give the replicator. */
    public ReplicationListener listener() {
        return state;
    }

    /** The address actually bound (the port chosen when 0 was asked for). */
    public InetSocketAddress address() {
        return http.getAddress();
    }

    private String describe() {
        InetSocketAddress a = address();
        String host = options.address().host() == null ? "" : options.address().host();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort()
                + (options.address().host() == null ? " (every interface)" : "");
    }

    @Override
    public void close() {
        http.stop(0);
        executor.shutdownNow();
    }

    private interface Handler {
        void handle(HttpExchange exchange) throws IOException;
    }

    private static HttpHandler getOnly(Handler h) {
        return exchange -> {
            try (exchange) {
                String method = exchange.getRequestMethod();
                if (!method.equals("GET") && !method.equals("HEAD")) {
                    exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                    send(exchange, 405, "text/plain; charset=utf-8", "only GET and HEAD\n".getBytes(StandardCharsets.UTF_8));
                    return;
                }
                h.handle(exchange);
            } catch (IOException | RuntimeException e) {
                LOG.debug("request {} failed", exchange.getRequestURI().getPath(), e);
            }
        };
    }

    private void health(HttpExchange exchange) throws IOException {
        long since = state.sinceLastTickNanos();
        boolean followsAny = state.views(options.readyWithin()).stream().anyMatch(d -> d.state() != DatabaseView.State.WAITING);
        // no tick ever is fine while nothing is followed (every database waits to be created), or just after start
        boolean stalled = since >= 0 ? since > STALLED_NANOS : followsAny && System.nanoTime() - startedNanos > STALLED_NANOS;
        if (stalled) {
            text(exchange, 503, "unhealthy: the replication loops have not run for more than " + STALLED_NANOS / 1_000_000_000L + " s\n");
            return;
        }
        text(exchange, 200, "ok\n");
    }

    private final long startedNanos = System.nanoTime();

    private void ready(HttpExchange exchange) throws IOException {
        List<DatabaseView> behind = state.views(options.readyWithin()).stream()
                .filter(d -> !d.replicatedWithin(options.readyWithin())).sorted(MetricsCollector.WORST_FIRST).toList();
        if (behind.isEmpty()) {
            text(exchange, 200, "ready: every database is on every replica within " + options.readyWithin().toSeconds() + " s\n");
            return;
        }
        StringBuilder b = new StringBuilder("not ready: " + behind.size() + (behind.size() == 1 ? " database is" : " databases are")
                + " not on every replica within " + options.readyWithin().toSeconds() + " s\n");
        for (DatabaseView d : behind.subList(0, Math.min(MAX_NAMES_LISTED, behind.size()))) {
            b.append(d.state().label()).append(' ').append(d.name()).append('\n');
        }
        if (behind.size() > MAX_NAMES_LISTED) b.append("... and ").append(behind.size() - MAX_NAMES_LISTED).append(" more\n");
        text(exchange, 503, b.toString());
    }

    private void databases(HttpExchange exchange) throws IOException {
        StatusQuery q;
        try {
            q = StatusQuery.parse(exchange.getRequestURI().getRawQuery());
        } catch (IllegalArgumentException e) {
            text(exchange, 400, "bad request: " + e.getMessage() + "\n");
            return;
        }
        byte[] body = StatusJson.render(state.views(options.readyWithin()), q, options.readyWithin().toSeconds());
        send(exchange, 200, "application/json", body);
    }

    private void page(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        String resource = switch (path) {
            case "/", "/index.html" -> "status.html";
            case "/status.js" -> "status.js";
            case "/status.css" -> "status.css";
            default -> null;
        };
        if (resource == null) {
            text(exchange, 404, "not found; try /, /metrics, /healthz, /readyz, /api/databases or POST /sync?db=PATH\n");
            return;
        }
        byte[] body;
        try (InputStream in = OperationsServer.class.getResourceAsStream(resource)) {
            body = in.readAllBytes();
        }
        String type = resource.endsWith(".html") ? "text/html; charset=utf-8"
                : resource.endsWith(".js") ? "text/javascript; charset=utf-8" : "text/css; charset=utf-8";
        send(exchange, 200, type, body);
    }

    static void text(HttpExchange exchange, int status, String body) throws IOException {
        send(exchange, status, "text/plain; charset=utf-8", body.getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
        var h = exchange.getResponseHeaders();
        h.set("Content-Type", type);
        h.set("Cache-Control", "no-store");
        h.set("X-Content-Type-Options", "nosniff");
        // the page runs only its own script: a database name can never become code
        h.set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; frame-ancestors 'none'");
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(status, head ? -1 : body.length == 0 ? -1 : body.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }
}

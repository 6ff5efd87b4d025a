package dev.keel.server;

import com.sun.net.httpserver.HttpExchange;
import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import dev.keel.core.Redactor;
import dev.keel.replication.Replicator;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code POST /sync?db=PATH&wait=10s}: returns once everything {@code db} committed before the request
 * is on every replica ({@link Replicator#awaitReplicated}), for scripts and deploy hooks (e.g. before a
 * host shuts down). 200 when it is; 504 naming the lagging replica when {@code wait} passed first; 404
 * for a database this process does not follow; 400 for a bad query; 503 before the replicator runs.
 */
final class SyncEndpoint {
    static final Duration DEFAULT_WAIT = Duration.ofSeconds(10);
    static final Duration MAX_WAIT = Duration.ofMinutes(10);
    private static final int MAX_QUERY = 8192;
    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h)");

    private final AtomicReference<Replicator> replicator = new AtomicReference<>();
    private final Redactor redactor;

    SyncEndpoint(Redactor redactor) {
        this.redactor = redactor;
    }

    void serve(Replicator r) {
        replicator.set(r);
    }

    /** The query's {@code db} and {@code wait}; an IllegalArgumentException says what is wrong. */
    record Request(Path db, Duration timeout) {
        static Request parse(String rawQuery) {
            if (rawQuery == null || rawQuery.isEmpty()) throw new IllegalArgumentException("give the database: /sync?db=PATH[&wait=10s]");
            if (rawQuery.length() > MAX_QUERY) throw new IllegalArgumentException("query longer than " + MAX_QUERY + " bytes");
            Map<String, String> params = new HashMap<>();
            for (String pair : rawQuery.split("&")) {
                int eq = pair.indexOf('=');
                String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                if (!key.equals("db") && !key.equals("wait")) throw new IllegalArgumentException("unknown parameter '" + key + "'; use db and wait");
                if (params.put(key, value) != null) throw new IllegalArgumentException("parameter '" + key + "' given twice");
            }
            String db = params.get("db");
            if (db == null || db.isEmpty() || db.indexOf('\0') >= 0) throw new IllegalArgumentException("give the database: db=PATH");
            return new Request(Path.of(db), parseWait(params.get("wait")));
        }

        /** Go-style durations as the config file writes them: {@code 500ms}, {@code 10s}, {@code 1m30s}. */
        static Duration parseWait(String text) {
            if (text == null) return DEFAULT_WAIT;
            Matcher m = DURATION.matcher(text);
            Duration total = Duration.ZERO;
            int at = 0;
            while (at < text.length() && m.find(at) && m.start() == at) {
                long n = Long.parseLong(m.group(1));
                total = total.plus(switch (m.group(2)) {
                    case "ms" -> Duration.ofMillis(n);
                    case "s" -> Duration.ofSeconds(n);
                    case "m" -> Duration.ofMinutes(n);
                    default -> Duration.ofHours(n);
                });
                at = m.end();
            }
            if (at == 0 || at != text.length()) throw new IllegalArgumentException("wait '" + text + "' is not a duration like 10s or 1m30s");
            if (total.isZero() || total.compareTo(MAX_WAIT) > 0) throw new IllegalArgumentException("wait must be above 0 and at most 10m");
            return total;
        }
    }

    void handle(HttpExchange exchange) throws IOException {
        if (!exchange.getRequestMethod().equals("POST")) {
            exchange.getResponseHeaders().set("Allow", "POST");
            OperationsServer.text(exchange, 405, "POST /sync?db=PATH[&wait=10s]\n");
            return;
        }
        Request request;
        try {
            request = Request.parse(exchange.getRequestURI().getRawQuery());
        } catch (IllegalArgumentException e) {
            OperationsServer.text(exchange, 400, "bad request: " + redactor.redact(e.getMessage()) + "\n");
            return;
        }
        Replicator r = replicator.get();
        if (r == null) {
            OperationsServer.text(exchange, 503, "the replicator is starting; try again\n");
            return;
        }
        long started = System.nanoTime();
        try {
            r.awaitReplicated(request.db(), request.timeout());
        } catch (KeelException e) {
            int status = e.code() == ErrorCode.NOT_FOUND ? 404 : e.code() == ErrorCode.USAGE ? 400 : 504;
            OperationsServer.text(exchange, status, redactor.redact(e.getMessage()
                    + (e.hint() == null ? "" : "\nhint: " + e.hint())) + "\n");
            return;
        }
        OperationsServer.text(exchange, 200, "replicated: " + redactor.redact(request.db().toString()) + " is on every replica ("
                + (System.nanoTime() - started) / 1_000_000 + " ms)\n");
    }
}

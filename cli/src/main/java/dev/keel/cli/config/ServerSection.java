package dev.keel.cli.config;

import dev.keel.core.KeelException;
import dev.keel.server.MetricsDetail;
import dev.keel.server.ServerOptions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The top-level {@code server:} block (Keel only), which tunes what {@code addr} serves: how far behind
 * a replica may be for {@code /readyz} ({@code ready-within}) and which databases get series of their
 * own in {@code /metrics} ({@code per-database-metrics}: {@code all}, or the worst N beside fleet-level
 * aggregates). Without {@code addr} nothing is served, so the block is an error there.
 */
final class ServerSection {
    static final String KEY = "server";

    private ServerSection() {
    }

    static KeelConfig.Server read(YamlMap top, String addr) {
        Optional<YamlMap> block = top.map(KEY);
        if (block.isEmpty()) return KeelConfig.Server.DEFAULT;
        YamlMap map = block.get();
        if (addr == null) {
            throw top.error(KEY, "server: is set but addr is not, so nothing would be served",
                    "add addr: \":9090\" (or '127.0.0.1:9090'), or remove the server: block");
        }
        map.rejectUnknownKeys(List.of("ready-within", "per-database-metrics"));
        Duration ready = map.duration("ready-within").orElse(ServerOptions.DEFAULT_READY_WITHIN);
        if (ready.isZero() || ready.isNegative() || ready.compareTo(ServerOptions.MAX_READY_WITHIN) > 0) {
            throw map.error("ready-within", "server.ready-within " + GoDuration.format(ready) + " is out of range",
                    "give a duration above 0 and at most 168h, e.g. 1m");
        }
        MetricsDetail detail = MetricsDetail.ALL;
        Optional<String> text = map.string("per-database-metrics");
        if (text.isPresent()) {
            try {
                detail = MetricsDetail.parse(text.get());
            } catch (KeelException e) {
                throw map.error("per-database-metrics", "server." + e.getMessage(), e.hint());
            }
        }
        return new KeelConfig.Server(ready, detail);
    }
}

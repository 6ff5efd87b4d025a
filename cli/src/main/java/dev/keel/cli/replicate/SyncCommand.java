package dev.keel.cli.replicate;

import dev.keel.cli.OutputOptions;
import dev.keel.cli.config.ConfigOptions;
import dev.keel.cli.config.KeelConfig;
import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import dev.keel.server.ListenAddress;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code keel sync DB_PATH}: asks a running {@code keel replicate} (through its {@code addr}) to ship
 * everything the database committed so far, and returns once every replica holds it. For scripts and
 * deploy hooks, e.g. before a host shuts down.
 */
@Command(name = "sync", description = {
        "Wait until a running 'keel replicate' has every commit of a database on every replica.",
        "  keel sync [-config PATH | -addr HOST:PORT] [-wait 10s] DB_PATH"})
public final class SyncCommand implements Callable<Integer> {
    @Mixin
    ConfigOptions config;

    @Mixin
    OutputOptions output;

    @Option(names = {"-addr", "--addr"}, paramLabel = "HOST:PORT",
            description = "Where the running replicator serves (its addr); default: the config file's addr.")
    String addr;

    @Option(names = {"-wait", "--wait"}, paramLabel = "DURATION", defaultValue = "10s",
            description = "How long to wait for the replicas, e.g. 10s or 1m (default: ${DEFAULT-VALUE}, at most 10m).")
    String wait;

    @Parameters(paramLabel = "DB_PATH", description = "The database, as the replicator follows it.")
    Path db;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        String where = addr;
        if (where == null) {
            if (config.configPath() == null) {
                throw new KeelException(ErrorCode.USAGE, "no address to reach the replicator", null,
                        "give -addr HOST:PORT (the addr keel replicate serves on) or -config with an addr");
            }
            KeelConfig loaded = config.load();
            where = loaded.addr();
            if (where == null) {
                throw new KeelException(ErrorCode.USAGE, "the config file has no addr: the replicator serves nothing to ask",
                        loaded.source().toString(), "set addr: \"127.0.0.1:9090\" in the config, restart keel replicate, or give -addr");
            }
        }
        ListenAddress listen = ListenAddress.parse(where);
        String host = listen.host() == null || listen.host().isEmpty() ? "127.0.0.1" : listen.host();
        if (host.indexOf(':') >= 0) host = "[" + host + "]";
        String path = db.toAbsolutePath().normalize().toString(); // the replicator may run in another directory
        URI uri = URI.create("http://" + host + ":" + listen.port() + "/sync?db=" + URLEncoder.encode(path, StandardCharsets.UTF_8)
                + "&wait=" + URLEncoder.encode(wait, StandardCharsets.UTF_8));
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(11))
                .POST(HttpRequest.BodyPublishers.noBody()).build();
        HttpResponse<String> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new KeelException(ErrorCode.STORAGE_UNAVAILABLE, "cannot reach keel replicate at " + listen + ": " + e.getMessage(),
                    listen.toString(), "is keel replicate running with this addr (addr in its config, or -addr)?", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 130;
        }
        String body = response.body().strip();
        switch (response.statusCode()) {
            case 200 -> {
                if (output.json()) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("db", path);
                    m.put("replicated", true);
                    m.put("message", body);
                    output.printJson(spec.commandLine().getOut(), m);
                } else {
                    spec.commandLine().getOut().println(output.redact(body));
                }
                spec.commandLine().getOut().flush();
                return 0;
            }
            case 400 -> throw new KeelException(ErrorCode.USAGE, body, path, "check DB_PATH and -wait");
            case 404 -> throw new KeelException(ErrorCode.NOT_FOUND, body, path,
                    "the replicator at " + listen + " does not follow this database; check the path");
            default -> throw new KeelException(ErrorCode.STORAGE_UNAVAILABLE, "not replicated: " + body, path,
                    "the commits stay in the replicator's shadow WAL and are uploaded when the replica is back");
        }
    }
}

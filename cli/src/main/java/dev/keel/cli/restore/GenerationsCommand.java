package dev.keel.cli.restore;

import dev.keel.cli.OutputOptions;
import dev.keel.cli.config.GoDuration;
import dev.keel.replication.restore.GenerationInfo;
import dev.keel.replication.restore.ReplicaCatalog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code keel generations}: every generation of a database's replicas (or of one replica URL) with
 * its lag behind the database and the time span it covers, in Litestream 0.3's columns.
 */
@Command(name = "generations", description = "List the generations of a database's replicas or of a replica URL.")
public final class GenerationsCommand implements Callable<Integer> {
    @CommandLine.Mixin
    ListingSource source;

    @CommandLine.Mixin
    OutputOptions output;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        try (ReplicaSources sources = source.open()) {
            Instant dbUpdatedAt = sources.database() == null ? Instant.now() : updatedAt(sources.database());
            TextTable table = new TextTable("name", "generation", "lag", "start", "end");
            List<Map<String, Object>> json = new ArrayList<>();
            for (Map.Entry<String, ReplicaCatalog> e : Listings.catalogs(sources).entrySet()) {
                for (GenerationInfo g : e.getValue().generationInfos()) {
                    String lag = dbUpdatedAt == null || g.updatedAt() == null ? "-"
                            : GoDuration.format(Listings.truncate(Duration.between(g.updatedAt(), dbUpdatedAt)));
                    table.row(e.getKey(), g.generation(), lag, Listings.time(g.createdAt()), Listings.time(g.updatedAt()));
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("replica", e.getKey());
                    m.put("generation", g.generation().id());
                    m.put("lag", lag);
                    m.put("start", g.createdAt());
                    m.put("end", g.updatedAt());
                    m.put("snapshots", g.snapshotCount());
                    m.put("walSegments", g.walSegmentCount());
                    json.add(m);
                }
            }
            if (output.json()) output.printJson(spec.commandLine().getOut(), json);
            else table.print(spec.commandLine().getOut(), output::redact);
        }
        return 0;
    }

    /** When the database or its WAL last changed, as Litestream measures lag; null if it does not exist. */
    static Instant updatedAt(Path db) throws IOException {
        if (!Files.exists(db)) return null;
        Instant t = Files.getLastModifiedTime(db).toInstant();
        Path wal = Path.of(db + "-wal");
        if (Files.exists(wal)) {
            Instant w = Files.getLastModifiedTime(wal).toInstant();
            if (w.isAfter(t)) t = w;
        }
        return t;
    }
}

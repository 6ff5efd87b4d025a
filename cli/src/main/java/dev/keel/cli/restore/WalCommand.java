package dev.keel.cli.restore;

import dev.keel.cli.OutputOptions;
import dev.keel.replication.api.WalSegmentInfo;
import dev.keel.replication.restore.ReplicaCatalog;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code keel wal}: every WAL segment of a database's replicas or of a replica URL, in Litestream 0.3's columns. */
@Command(name = "wal", description = "List the WAL segments of a database's replicas or of a replica URL.")
public final class WalCommand implements Callable<Integer> {
    @CommandLine.Mixin
    ListingSource source;

    @CommandLine.Mixin
    OutputOptions output;

    @Option(names = {"-generation", "--generation"}, paramLabel = "NAME", description = "Only this generation.")
    String generation;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        try (ReplicaSources sources = source.open()) {
            TextTable table = new TextTable("replica", "generation", "index", "offset", "size", "created");
            List<Map<String, Object>> json = new ArrayList<>();
            for (Map.Entry<String, ReplicaCatalog> e : Listings.catalogs(sources).entrySet()) {
                for (WalSegmentInfo w : e.getValue().walSegments()) {
                    if (generation != null && !generation.equals(w.generation().id())) continue;
                    table.row(e.getKey(), w.generation(), w.index(), w.offset(), w.size(), Listings.time(w.createdAt()));
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("replica", e.getKey());
                    m.put("generation", w.generation().id());
                    m.put("index", w.index());
                    m.put("offset", w.offset());
                    m.put("size", w.size());
                    m.put("created", w.createdAt());
                    json.add(m);
                }
            }
            if (output.json()) output.printJson(spec.commandLine().getOut(), json);
            else table.print(spec.commandLine().getOut(), output::redact);
        }
        return 0;
    }
}

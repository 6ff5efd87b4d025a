package dev.keel.cli.restore;

import dev.keel.cli.OutputOptions;
import dev.keel.replication.api.SnapshotInfo;
import dev.keel.replication.restore.ReplicaCatalog;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code keel snapshots}: every snapshot of a database's replicas or of a replica URL, in Litestream 0.3's columns. */
@Command(name = "snapshots", description = "List the snapshots of a database's replicas or of a replica URL.")
public final class SnapshotsCommand implements Callable<Integer> {
    @CommandLine.Mixin
    ListingSource source;

    @CommandLine.Mixin
    OutputOptions output;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        try (ReplicaSources sources = source.open()) {
            TextTable table = new TextTable("replica", "generation", "index", "size", "created");
            List<Map<String, Object>> json = new ArrayList<>();
            for (Map.Entry<String, ReplicaCatalog> e : Listings.catalogs(sources).entrySet()) {
                for (SnapshotInfo s : e.getValue().snapshots()) {
                    table.row(e.getKey(), s.generation(), s.index(), s.size(), Listings.time(s.createdAt()));
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("replica", e.getKey());
                    m.put("generation", s.generation().id());
                    m.put("index", s.index());
                    m.put("size", s.size());
                    m.put("created", s.createdAt());
                    json.add(m);
                }
            }
            if (output.json()) output.printJson(spec.commandLine().getOut(), json);
            else table.print(spec.commandLine().getOut(), output::redact);
        }
        return 0;
    }
}

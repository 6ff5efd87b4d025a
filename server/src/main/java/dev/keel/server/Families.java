package dev.keel.server;

import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.UnknownSnapshot;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Collects the data points of one scrape by metric family, then builds the client's snapshots. Three
 * kinds: gauges, counters (exposed with {@code _total}), and Litestream's counters whose names have no
 * {@code _total}, exposed untyped so their names stay exactly Litestream's (the client appends
 * {@code _total} to every counter; {@code rate()} reads an untyped series the same way).
 */
final class Families {
    private enum Kind { GAUGE, COUNTER, UNTYPED }

    private record Family(String name, String help, Kind kind, List<Object> points) {
    }

    private final Map<String, Family> families = new LinkedHashMap<>();

    private Family family(String name, String help, Kind kind) {
        return families.computeIfAbsent(name, n -> new Family(n, help, kind, new ArrayList<>()));
    }

    Families gauge(String name, String help, double value, Labels labels) {
        family(name, help, Kind.GAUGE).points().add(GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(labels).value(value).build());
        return this;
    }

    Families counter(String name, String help, double value, Labels labels) {
        family(name, help, Kind.COUNTER).points().add(CounterSnapshot.CounterDataPointSnapshot.builder().labels(labels).value(value).build());
        return this;
    }

    /** A Litestream counter whose exposed name must stay as it is. */
    Families untyped(String name, String help, double value, Labels labels) {
        family(name, help, Kind.UNTYPED).points().add(UnknownSnapshot.UnknownDataPointSnapshot.builder().labels(labels).value(value).build());
        return this;
    }

    /** The snapshots of this scrape, families in the order first used. */
    MetricSnapshots build() {
        MetricSnapshots.Builder out = MetricSnapshots.builder();
        for (Family f : families.values()) out.metricSnapshot(snapshot(f));
        return out.build();
    }

    private static MetricSnapshot snapshot(Family f) {
        switch (f.kind()) {
            case GAUGE: {
                GaugeSnapshot.Builder b = GaugeSnapshot.builder().name(f.name()).help(f.help());
                for (Object p : f.points()) b.dataPoint((GaugeSnapshot.GaugeDataPointSnapshot) p);
                return b.build();
            }
            case COUNTER: {
                CounterSnapshot.Builder b = CounterSnapshot.builder().name(f.name()).help(f.help());
                for (Object p : f.points()) b.dataPoint((CounterSnapshot.CounterDataPointSnapshot) p);
                return b.build();
            }
            default: {
                UnknownSnapshot.Builder b = UnknownSnapshot.builder().name(f.name()).help(f.help());
                for (Object p : f.points()) b.dataPoint((UnknownSnapshot.UnknownDataPointSnapshot) p);
                return b.build();
            }
        }
    }
}

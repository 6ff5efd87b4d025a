package dev.keel.server;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Turns the server's picture of the fleet into Prometheus metrics at scrape time. Litestream 0.3's
 * names and labels where Keel has the same quantity, Keel's own under {@code keel_}. Per-database
 * series for every database, or (see {@link MetricsDetail}) only for the worst N beside fleet-level
 * aggregates. Nothing here touches the engine: it reads {@link FleetState}.
 */
final class MetricsCollector implements MultiCollector {
    /** Worst first: failing, waiting, lagging, parked, ok; then the largest lag. */
    static final Comparator<DatabaseView> WORST_FIRST = Comparator.comparing(DatabaseView::state)
            .thenComparing(Comparator.comparingDouble(DatabaseView::maxLagSeconds).reversed())
            .thenComparing(DatabaseView::name);

    /**
     * The client sorts each family's points by labels: handing them over in that order already (db first)
     * makes its sort a single pass, which matters with 10,000 databases.
     */
    private static final Comparator<DatabaseView> BY_NAME = Comparator.comparing(DatabaseView::name);

    private final FleetState state;
    private final ServerOptions options;

    MetricsCollector(FleetState state, ServerOptions options) {
        this.state = state;
        this.options = options;
    }

    @Override
    public MetricSnapshots collect() {
        List<DatabaseView> all = state.views(options.readyWithin());
        List<DatabaseView> shown = all.stream().sorted(WORST_FIRST).limit(options.detail().all() ? all.size()
                : options.detail().worst()).sorted(BY_NAME).toList();
        Families f = new Families();
        fleet(f, all, shown.size());
        for (DatabaseView db : shown) database(f, db);
        storage(f);
        return f.build();
    }

    private void fleet(Families f, List<DatabaseView> all, int shown) {
        int[] byState = new int[DatabaseView.State.values().length];
        double maxLag = 0;
        long lagBytes = 0;
        long backlog = 0;
        for (DatabaseView db : all) {
            byState[db.state().ordinal()]++;
            maxLag = Math.max(maxLag, db.maxLagSeconds());
            for (DatabaseView.Replica r : db.replicas()) lagBytes += r.lagBytes();
            backlog += db.maxLagBytes();
        }
        int open = all.size() - byState[DatabaseView.State.WAITING.ordinal()];
        f.gauge("keel_databases_followed", "Databases the engine follows (open)", open, Labels.EMPTY);
        f.gauge("keel_databases_paused", "Databases parked while idle", byState[DatabaseView.State.PARKED.ordinal()], Labels.EMPTY);
        f.gauge("keel_databases_failing", "Databases whose monitor or a replica is failing",
                byState[DatabaseView.State.FAILING.ordinal()], Labels.EMPTY);
        f.gauge("keel_databases_waiting", "Configured databases that could not be opened yet (retried)",
                byState[DatabaseView.State.WAITING.ordinal()], Labels.EMPTY);
        f.gauge("keel_databases_lagging", "Databases with a replica behind by more than the ready bound",
                byState[DatabaseView.State.LAGGING.ordinal()], Labels.EMPTY);
        f.gauge("keel_fleet_replica_lag_seconds_max", "The largest replication lag of any replica, in seconds", maxLag, Labels.EMPTY);
        f.gauge("keel_fleet_replica_lag_bytes", "WAL bytes not yet on their replicas, summed over every replica", lagBytes, Labels.EMPTY);
        f.gauge("keel_fleet_shadow_backlog_bytes", "Shadow WAL bytes kept for replicas that are behind, summed over databases",
                backlog, Labels.EMPTY);
        f.gauge("keel_metrics_databases_shown", "Databases with series of their own in this scrape", shown, Labels.EMPTY);
        for (Map.Entry<String, Long> e : state.generationChanges().entrySet()) {
            f.counter("keel_generation_changes", "Generations begun in this process, by cause", e.getValue(),
                    Labels.of("reason", e.getKey()));
        }
        long since = state.sinceLastTickNanos();
        if (since >= 0) {
            f.gauge("keel_loops_last_tick_age_seconds", "Seconds since the engine's ticker last walked its databases",
                    since / 1e9, Labels.EMPTY);
        }
    }

    private static void database(Families f, DatabaseView db) {
        Labels l = Labels.of("db", db.name());
        f.gauge("litestream_db_size", "The current size of the real DB", db.dbBytes(), l);
        f.gauge("litestream_wal_size", "The current size of the real WAL", db.walBytes(), l);
        f.untyped("litestream_total_wal_bytes", "Total number of bytes written to shadow WAL", db.totalWalBytes(), l);
        if (db.position() != null) {
            f.gauge("litestream_shadow_wal_index", "The current index of the shadow WAL", db.position().index(), l);
            f.gauge("litestream_shadow_wal_size", "Current size of shadow WAL, in bytes", db.position().offset(), l);
        }
        f.untyped("litestream_sync_count", "Number of sync operations performed", db.syncs(), l);
        f.untyped("litestream_sync_error_count", "Number of sync errors that have occurred", db.syncErrors(), l);
        f.untyped("litestream_sync_seconds", "Time spent syncing shadow WAL, in seconds", db.syncSeconds(), l);
        for (Map.Entry<String, double[]> c : db.checkpoints().entrySet()) {
            Labels m = Labels.of("db", db.name(), "mode", c.getKey());
            f.untyped("litestream_checkpoint_count", "Number of checkpoint operations performed", c.getValue()[0], m);
            f.untyped("litestream_checkpoint_error_count", "Number of checkpoint errors that have occurred", c.getValue()[1], m);
            f.untyped("litestream_checkpoint_seconds", "Time spent checkpointing WAL, in seconds", c.getValue()[2], m);
        }
        for (Map.Entry<String, Long> g : db.generations().entrySet()) {
            f.counter("keel_database_generation_changes", "Generations begun for this database, by cause", g.getValue(),
                    Labels.of("db", db.name(), "reason", g.getKey()));
        }
        for (DatabaseView.Replica r : db.replicas()) replica(f, db, r);
    }

    private static void replica(Families f, DatabaseView db, DatabaseView.Replica r) {
        Labels l = Labels.of("db", db.name(), "name", r.name());
        f.untyped("litestream_replica_wal_bytes", "The number wal bytes written", r.walBytes(), l);
        if (r.position() != null) {
            f.gauge("litestream_replica_wal_index", "The current WAL index", r.position().index(), l);
            f.gauge("litestream_replica_wal_offset", "The current WAL offset", r.position().offset(), l);
        }
        f.counter("litestream_replica_validation", "The number of validations performed", r.validationsOk(),
                Labels.of("db", db.name(), "name", r.name(), "status", "ok"));
        f.counter("litestream_replica_validation", "The number of validations performed", r.validationsError(),
                Labels.of("db", db.name(), "name", r.name(), "status", "error"));
        f.gauge("keel_replica_lag_seconds", "Age of the oldest commit the replica does not hold yet (0 when it holds all)",
                r.lagSeconds(), l);
        f.gauge("keel_replica_lag_bytes", "WAL bytes committed but not yet on the replica", r.lagBytes(), l);
        if (r.lastUpload() != null) {
            f.gauge("keel_replica_last_upload_timestamp_seconds", "When the replica last stored a snapshot or WAL segment",
                    r.lastUpload().toEpochMilli() / 1000.0, l);
        }
        f.gauge("keel_replica_failing", "1 while the replica's uploads fail", r.failing() ? 1 : 0, l);
        f.counter("keel_replica_failures", "Failed rounds of the replica's loops", r.failures(), l);
    }

    private void storage(Families f) {
        for (Map.Entry<StorageCounts.Key, StorageCounts.Counts> e : state.storage().entries()) {
            Labels l = Labels.of("replica_type", e.getKey().type(), "operation", e.getKey().operation());
            f.counter("litestream_replica_operation", "The number of replica operations performed", e.getValue().done.sum(), l);
            f.untyped("litestream_replica_operation_bytes", "The number of bytes used by replica operations",
                    e.getValue().bytes.sum(), l);
            f.counter("keel_storage_failures", "Storage calls that failed, by backend and operation", e.getValue().failed.sum(), l);
        }
    }
}

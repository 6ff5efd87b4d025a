package dev.keel.replication;

import dev.keel.replication.api.DatabaseConfig;
import dev.keel.replication.api.DirectoryConfig;
import dev.keel.replication.api.Overlaps;
import dev.keel.replication.api.ReplicaConfig;
import dev.keel.replication.internal.DatabaseReplication;
import dev.keel.replication.internal.DirectoryFollower;
import dev.keel.replication.internal.Failures;
import dev.keel.replication.internal.PendingDatabase;
import dev.keel.replication.spi.ReplicaClient;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code dir:} entries a {@link Replicator} follows: databases that come and go while it runs. Each
 * entry is a {@link DirectoryFollower}; its databases join the replicator's others and leave it when
 * their file goes away.
 */
final class DirectoryEntries {
    private static final Logger LOG = LoggerFactory.getLogger(Replicator.class);

    private final Replicator replicator;
    private final List<DirectoryFollower> followers = new CopyOnWriteArrayList<>();

    DirectoryEntries(Replicator replicator) {
        this.replicator = replicator;
    }

    /** See {@link Replicator#follow}. */
    void follow(DirectoryConfig directory) {
        DirectoryFollower follower;
        synchronized (replicator.joining) {
            if (replicator.closing) throw new IllegalStateException("the replicator is closed");
            Set<Path> ofDirectories = new HashSet<>();
            for (DirectoryFollower f : followers) ofDirectories.addAll(f.databases());
            List<DatabaseConfig> followedNow = new ArrayList<>();
            for (DatabaseReplication d : replicator.databases) {
                if (!ofDirectories.contains(d.path())) followedNow.add(d.monitor().config());
            }
            for (PendingDatabase p : replicator.pending) followedNow.add(p.config());
            List<DirectoryConfig> entries = new ArrayList<>();
            for (DirectoryFollower f : followers) entries.add(f.config());
            entries.add(directory);
            Overlaps.find(followedNow, entries).ifPresent(overlap -> {
                throw overlap.toException();
            });
            follower = new DirectoryFollower(directory, new DirectoryFollower.Host() {
                @Override
                public DatabaseReplication open(DatabaseConfig config, Function<ReplicaConfig, ReplicaClient> clients) {
                    return replicator.openForDirectory(config, clients);
                }

                @Override
                public void join(DatabaseReplication db, ScheduledExecutorService loops) {
                    replicator.joined(db, loops);
                }

                @Override
                public void leave(DatabaseReplication db) {
                    replicator.databases.remove(db);
                    replicator.listener().databaseLetGo(db.path());
                }
            }, replicator.clients(), replicator.listener());
            followers.add(follower);
        }
        follower.schedule(replicator.scheduler);
        try {
            follower.scan();
        } catch (RuntimeException e) {
            followers.remove(follower);
            follower.close();
            throw e;
        }
        LOG.info("{}: following the databases matching '{}'{}{}", directory.root(), directory.directory().pattern(),
                directory.directory().recursive() ? " in every subdirectory" : "",
                directory.watch() ? "" : " (found once: watch is off)");
        replicator.logHolding(replicator.databases.size(), replicator.databases.size() + replicator.pending.size());
    }

    /** Scans every watched entry now (without background loops, {@link Replicator#sync()} does). */
    void rescan(Failures failures) {
        for (DirectoryFollower f : followers) failures.attempt(f::rescan);
    }

    /** Stops the rescans. */
    void cancel() {
        for (DirectoryFollower f : followers) f.cancel();
    }

    void close() {
        for (DirectoryFollower f : followers) f.close();
    }
}

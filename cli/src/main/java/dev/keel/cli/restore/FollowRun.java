package dev.keel.cli.restore;

import dev.keel.cli.config.GoDuration;
import dev.keel.cli.logging.LogSetup;
import dev.keel.cli.output.Redaction;
import dev.keel.core.KeelException;
import dev.keel.replication.restore.FollowListener;
import dev.keel.replication.restore.FollowStep;
import dev.keel.replication.restore.Follower;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * {@code keel restore -f}: builds a read-only copy of one database at {@code -o} (or resumes the copy
 * a previous run left there), then applies new WAL from the replica until SIGINT or SIGTERM, which
 * end it with status 0 once the apply in progress (if any) is done. Logs every rebuild and apply
 * with the follower's lag.
 */
final class FollowRun {
    private static final Logger LOG = LoggerFactory.getLogger(FollowRun.class);

    private final RestoreCommand command;

    FollowRun(RestoreCommand command) {
        this.command = command;
    }

    int call() {
        Duration interval = checkOptions();
        new LogSetup("info", false, true, Redaction.of(command.spec)::redactor).apply();
        AtomicReference<Follower> running = new AtomicReference<>();
        boolean[] stopRequested = {false};
        for (String name : List.of("INT", "TERM")) {
            Signal.handle(new Signal(name), s -> {
                synchronized (stopRequested) {
                    stopRequested[0] = true;
                    Follower f = running.get();
                    LOG.info("SIG{} received, stopping", name);
                    if (f != null) f.close();
                }
            });
        }
        try (ReplicaSources sources = ReplicaSources.resolve(command.target, command.config, command.replica)) {
            Path output = command.out;
            Follower follower = Follower.configure().replicas(sources.subject(), sources.replicas()).output(output)
                    .pollInterval(interval).parallelism(command.parallelism).removeStaleFiles(command.removeStaleFiles)
                    .listener(new Log(output)).start();
            synchronized (stopRequested) {
                running.set(follower);
                if (stopRequested[0]) follower.close();
            }
            LOG.info("{}: following {} every {} ms from {}", output.toAbsolutePath().normalize(), follower.replicaName(),
                    interval.toMillis(), follower.position());
            try {
                follower.run();
            } finally {
                follower.close();
            }
            LOG.info("{}: stopped at {}", output.toAbsolutePath().normalize(), follower.position());
            return 0;
        }
    }

    /** Refuses what does not fit follow mode; returns the poll interval. */
    private Duration checkOptions() {
        String why = null;
        if (!command.follow) why = "-follow-interval needs -f";
        else if (command.timestamp != null) why = "-timestamp cannot be used with -f: a follower always follows the latest state";
        else if (command.index != null) why = "-index cannot be used with -f: a follower always follows the latest state";
        else if (command.generation != null) why = "-generation cannot be used with -f: a follower follows each new generation";
        else if (command.ifDbNotExists) why = "-if-db-not-exists cannot be used with -f: a follower resumes its own copy and refuses any other file";
        else if (command.ifReplicaExists) why = "-if-replica-exists cannot be used with -f";
        else if (command.output.json()) why = "--json cannot be used with -f: a follower reports in its log, line by line";
        else if (command.target == null) why = "-f follows one database: give a DB_PATH or REPLICA_URL";
        else if (command.out == null) why = "-f needs -o PATH: the copy is a new file, never the database itself";
        if (why != null) throw RestoreCommand.usage(why, "keel restore -f -o COPY.db [-follow-interval 1s] DB_PATH|REPLICA_URL");
        if (command.followInterval == null) return Follower.DEFAULT_POLL_INTERVAL;
        Duration d;
        try {
            d = GoDuration.parse(command.followInterval);
        } catch (RuntimeException e) {
            throw RestoreCommand.usage("invalid -follow-interval '" + command.followInterval + "'", "a duration such as 500ms, 1s or 1m");
        }
        if (d.toMillis() < 1) throw RestoreCommand.usage("invalid -follow-interval '" + command.followInterval + "': must be at least 1ms", "e.g. 1s");
        return d;
    }

    /** One log line per rebuild, apply and failure. */
    private record Log(Path output) implements FollowListener {
        @Override
        public void restored(FollowStep.Restored step) {
            LOG.info("{}: copy {} from {} at {} ({}){}", output, step.replaced() ? "replaced" : "restored",
                    step.result().replica(), step.position(), step.reason(),
                    step.replaced() ? "; readers must reopen it to see the new copy" : "");
        }

        @Override
        public void applied(FollowStep.Applied step) {
            LOG.info("{}: applied {} transaction(s) from {} WAL segment(s), now at {} (lag {} ms after upload)", output,
                    step.transactions(), step.segments(), step.position(), step.lag().toMillis());
        }

        @Override
        public void failed(KeelException error, long retryInMillis) {
            LOG.warn("{}: {} ({}); retrying in {} ms", output, error.getMessage(),
                    error.subject() == null ? "" : error.subject(), retryInMillis);
        }
    }
}

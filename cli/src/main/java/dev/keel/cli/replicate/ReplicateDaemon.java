package dev.keel.cli.replicate;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import dev.keel.cli.config.KeelConfig;
import dev.keel.replication.Replicator;
import dev.keel.replication.ops.Heartbeat;
import dev.keel.replication.api.DatabaseConfig;
import dev.keel.replication.api.DirectoryConfig;
import dev.keel.replication.api.HeldMemory;
import dev.keel.replication.spi.ReplicationListener;
import dev.keel.replication.spi.ReplicationListeners;
import dev.keel.server.OperationsServer;
import dev.keel.server.ServerOptions;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * Runs replication until SIGINT or SIGTERM (then a final sync and status 0), or, with a command to
 * execute, until that child process exits (then a final sync and the child's status). Signals are
 * forwarded to the child so the application shuts down first and its last writes are replicated.
 * A final sync that could not upload everything ends the process with the error's status instead
 * (69 when a replica's storage could not be reached), after the log said what was not uploaded.
 */
final class ReplicateDaemon {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicateDaemon.class);

    private final List<DatabaseConfig> databases;
    private final List<DirectoryConfig> directories;
    private final List<String> command;
    private final ServerOptions server;
    private final KeelConfig.Heartbeat heartbeat;
    private final HeldMemory heldMemory;
    private final CountDownLatch stop = new CountDownLatch(1);
    /** True once the replicator runs and the command (if any) may start. */
    private volatile boolean started;
    private final AtomicReference<Process> child = new AtomicReference<>();

    ReplicateDaemon(List<DatabaseConfig> databases, List<DirectoryConfig> directories, List<String> command,
                    ServerOptions server, KeelConfig.Heartbeat heartbeat, HeldMemory heldMemory) {
        this.databases = databases;
        this.directories = directories;
        this.command = command;
        this.server = server;
        this.heartbeat = heartbeat;
        this.heldMemory = heldMemory;
    }

    /** Replicates until told to stop; returns the process exit status. */
    int run() throws InterruptedException {
        // The server first: a port in use fails before any database is touched. It stops after the final sync.
        OperationsServer ops = server == null ? null : OperationsServer.start(server);
        try {
            return replicate(ops);
        } finally {
            if (ops != null) ops.close();
        }
    }

    private int replicate(OperationsServer ops) throws InterruptedException {
        ReplicationListener listener = ops == null ? ReplicationListener.NONE : ops.listener();
        // Signals are handled from the start: one that arrives while databases are still being opened
        // stops the process with a final sync once they are (a second one exits at once). With a command
        // to run, its databases may not exist until it creates them.
        installSignalHandlers();
        Heartbeat pinger = heartbeat == null ? null : Heartbeat.to(heartbeat.url()).every(heartbeat.interval());
        ReplicationListener heard = ReplicationListeners.of(Arrays.asList(listener, pinger == null ? null : pinger.listener()));
        Replicator replicator = Replicator.configure().databases(databases).listener(heard).heldMemory(heldMemory)
                .waitForMissingDatabases(command != null).start();
        try {
            for (DirectoryConfig d : directories) replicator.follow(d);
        } catch (RuntimeException e) {
            replicator.close();
            throw e;
        }
        if (ops != null) ops.serveSync(replicator);
        if (pinger != null) pinger.start();
        started = true;
        int status = 0;
        try {
            if (command == null || stop.getCount() == 0) { // told to stop while starting: the command never runs
                stop.await();
                LOG.info("signal received, running a final sync");
            } else {
                Process p = startChild();
                status = p.waitFor();
                LOG.info("{} exited with status {}, running a final sync", command.get(0), status);
            }
        } finally {
            if (pinger != null) pinger.close(); // no ping while stopping
            long started = System.nanoTime();
            try {
                // Logs per replica what it holds or what it could not upload. The process exits next: SQLite's
                // connections are left for the exit, so closing the last one does not remove the WAL.
                replicator.closeBeforeExit();
                LOG.info("final sync done in {} ms; stopped", (System.nanoTime() - started) / 1_000_000);
            } catch (KeelException incomplete) {
                LOG.warn("final sync incomplete after {} ms; stopped with exit status {}",
                        (System.nanoTime() - started) / 1_000_000, incomplete.code().exitStatus());
                throw incomplete;
            }
        }
        return status;
    }

    private Process startChild() {
        try {
            Process p = new ProcessBuilder(command).inheritIO().start();
            child.set(p);
            return p;
        } catch (IOException e) {
            throw new KeelException(ErrorCode.USAGE, "cannot run the -exec command: " + e.getMessage(), command.get(0),
                    "check the command's name and that it is on PATH");
        }
    }

    private void installSignalHandlers() {
        for (String name : List.of("INT", "TERM")) {
            Signal.handle(new Signal(name), signal -> onSignal(name));
        }
    }

    private void onSignal(String name) {
        Process p = child.get();
        if (p == null) {
            if (!started && stop.getCount() == 0) {
                // a second signal while databases are still being opened: nothing acknowledged can be lost
                // (the local state is crash-safe), so exit now as the default handler would
                LOG.warn("second SIG{} while starting: exiting without a final sync", name);
                Runtime.getRuntime().halt(name.equals("INT") ? 130 : 143);
            }
            stop.countDown();
            return;
        }
        LOG.info("forwarding SIG{} to {} (pid {})", name, command.get(0), p.pid());
        if (name.equals("TERM")) {
            p.destroy();
        } else {
            try {
                new ProcessBuilder("kill", "-" + name, Long.toString(p.pid())).inheritIO().start();
            } catch (IOException e) {
                p.destroy();
            }
        }
    }
}

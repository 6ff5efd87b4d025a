package dev.keel.cli.restore;

import dev.keel.replication.restore.DatabaseRestoreOutcome;
import dev.keel.replication.restore.FleetRestoreListener;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** Counts restored databases on a progress bar on stderr, only when it is a terminal. */
final class FleetProgress implements FleetRestoreListener, AutoCloseable {
    private final boolean terminal;
    private ProgressBar bar;

    private FleetProgress(boolean terminal) {
        this.terminal = terminal;
    }

    static FleetProgress forTerminal() {
        return new FleetProgress(System.console() != null);
    }

    @Override
    public synchronized void starting(int total) {
        if (terminal && bar == null) {
            bar = new ProgressBarBuilder().setTaskName("restore").setInitialMax(total).setUnit(" dbs", 1)
                    .setStyle(ProgressBarStyle.ASCII).build();
        }
    }

    @Override
    public synchronized void finished(DatabaseRestoreOutcome outcome, int done, int total) {
        if (bar != null) bar.stepTo(done);
    }

    @Override
    public synchronized void close() {
        if (bar != null) bar.close();
    }
}

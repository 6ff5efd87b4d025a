package dev.keel.cli.fleet;

import dev.keel.fleet.DatabaseOutcome;
import dev.keel.fleet.FleetListener;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * One progress bar per phase of a fleet operation on stderr (done of total, rate, ETA, and how many
 * failed), only when it is a terminal.
 */
final class FleetProgressBar implements FleetListener, AutoCloseable {
    private final boolean terminal;
    private ProgressBar bar;
    private int failed;

    private FleetProgressBar(boolean terminal) {
        this.terminal = terminal;
    }

    static FleetProgressBar forTerminal() {
        return new FleetProgressBar(System.console() != null);
    }

    @Override
    public synchronized void phase(String name, int total) {
        close();
        if (!terminal || total == 0) return;
        bar = new ProgressBarBuilder().setTaskName(name).setInitialMax(total).setUnit(" dbs", 1).showSpeed()
                .setStyle(ProgressBarStyle.ASCII).build();
        failed = 0;
    }

    @Override
    public synchronized void finished(DatabaseOutcome outcome, int done, int total) {
        if (bar == null) return;
        if (outcome.failed()) failed++;
        bar.stepTo(done);
        if (failed > 0) bar.setExtraMessage(" " + failed + " failed");
    }

    @Override
    public synchronized void close() {
        if (bar != null) bar.close();
        bar = null;
    }
}

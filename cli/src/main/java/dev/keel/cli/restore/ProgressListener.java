package dev.keel.cli.restore;

import dev.keel.replication.restore.RestoreListener;
import dev.keel.replication.restore.RestorePlan;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Draws a progress bar on stderr for long restores, only when stderr is a terminal. Closing it
 * finishes the bar.
 */
final class ProgressListener implements RestoreListener, AutoCloseable {
    /** Below this many compressed bytes a restore is quick enough to need no bar. */
    private static final long LARGE = 64L << 20;

    private final boolean terminal;
    private volatile ProgressBar bar;

    private ProgressListener(boolean terminal) {
        this.terminal = terminal;
    }

    /** A bar that appears once the restore is planned, if stderr is a terminal and the restore is large. */
    static ProgressListener forTerminal() {
        return new ProgressListener(System.console() != null);
    }

    @Override
    public void planned(RestorePlan plan, long compressedBytes, int objects) {
        if (!terminal || compressedBytes < LARGE) return;
        bar = new ProgressBarBuilder().setTaskName("restore").setInitialMax(compressedBytes)
                .setUnit(" MiB", 1L << 20).setStyle(ProgressBarStyle.ASCII).showSpeed().build();
    }

    @Override
    public void progressed(long compressedBytes) {
        ProgressBar b = bar;
        if (b != null) b.stepBy(compressedBytes);
    }

    @Override
    public void checking() {
        ProgressBar b = bar;
        if (b != null) b.setExtraMessage(" integrity_check");
    }

    @Override
    public void close() {
        ProgressBar b = bar;
        if (b != null) b.close();
    }
}

package dev.keel.cli.restore;

import dev.keel.replication.restore.RestoreListener;
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

    private final ProgressBar bar;

    private ProgressListener(ProgressBar bar) {
        this.bar = bar;
    }

    static ProgressListener forTerminal(long compressedBytes) {
        if (System.console() == null || compressedBytes < LARGE) return new ProgressListener(null);
        return new ProgressListener(new ProgressBarBuilder().setTaskName("restore").setInitialMax(compressedBytes)
                .setUnit(" MiB", 1L << 20).setStyle(ProgressBarStyle.ASCII).showSpeed().build());
    }

    @Override
    public void progressed(long compressedBytes) {
        if (bar != null) bar.stepBy(compressedBytes);
    }

    @Override
    public void checking() {
        if (bar != null) bar.setExtraMessage(" integrity_check");
    }

    @Override
    public void close() {
        if (bar != null) bar.close();
    }
}

package org.genai4j.datasets;

import java.util.Locale;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The progress of one download in bytes: a progress bar on a terminal, else a log line (bytes / total) at
 * most every {@link #PLAIN_INTERVAL_NANOS}, so that a piped log shows the download moving without flooding.
 */
final class DownloadProgress implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DownloadProgress.class);
    private static final long PLAIN_INTERVAL_NANOS = 10_000_000_000L;

    private final String name;
    private final long total;
    private final ProgressBar bar;
    private long lastLine = System.nanoTime();

    /**
     * @param name    the file's name, shown in front of the counts
     * @param resumed bytes already on disk from an earlier attempt
     * @param total   the whole file's size, or -1 when the server does not say
     */
    DownloadProgress(String name, long resumed, long total) {
        this.name = name;
        this.total = total;
        if (System.console() != null) {
            ProgressBarBuilder builder = new ProgressBarBuilder().setTaskName(name).setInitialMax(total)
                    .setUnit(" MB", 1 << 20).setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(500).showSpeed();
            bar = builder.build();
            bar.stepTo(resumed);
        } else {
            bar = null;
        }
        if (resumed > 0) {
            LOG.info("{}: resuming after {}", name, MemoryBudget.size(resumed));
        }
    }

    /** Records that {@code bytes} of the file are now on disk. */
    void at(long bytes) {
        if (bar != null) {
            bar.stepTo(bytes);
            return;
        }
        long now = System.nanoTime();
        if (now - lastLine >= PLAIN_INTERVAL_NANOS) {
            lastLine = now;
            LOG.info("{}: {}", name, counts(bytes));
        }
    }

    /** {@code "12.3 MB / 29.5 MB (41%)"}, or only the bytes when the total is unknown. */
    String counts(long bytes) {
        if (total <= 0) {
            return MemoryBudget.size(bytes);
        }
        return String.format(Locale.ROOT, "%s / %s (%d%%)", MemoryBudget.size(bytes), MemoryBudget.size(total),
                100 * bytes / total);
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.close();
        }
    }
}

package dev.bulwark.micrometer;

import dev.bulwark.internal.Check;
import dev.bulwark.time.Ticker;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;

/** The settings every transport's meters share: the registry, the histogram's range and the clock. */
abstract class TimedMetersBuilder<B extends TimedMetersBuilder<B>> {
    final MeterRegistry registry;
    HistogramRange range = HistogramRange.DEFAULT;
    Ticker ticker = Ticker.system();

    TimedMetersBuilder(MeterRegistry registry) {
        this.registry = registry;
    }

    /**
     * The range of durations the histograms resolve (default 1 ms to 30 s): buckets outside it
     * are not published, so a narrower range means fewer series.
     */
    public B expectedDurations(Duration min, Duration max) {
        range = HistogramRange.of(min, max);
        return self();
    }

    /** The clock calls are timed on (default the system's); a fake one in tests. */
    public B ticker(Ticker source) {
        ticker = Check.notNull("ticker", source);
        return self();
    }

    @SuppressWarnings("unchecked")
    private B self() {
        return (B) this;
    }
}

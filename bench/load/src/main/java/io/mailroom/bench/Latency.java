package io.mailroom.bench;

import java.util.Locale;

import org.HdrHistogram.Histogram;

/**
 * Latencies in microseconds, one histogram per worker thread and merged at the end, so recording never contends.
 * Values above an hour are clamped (a timed-out operation is an error, not a latency).
 */
final class Latency {

    private static final long MAX_MICROS = 3_600_000_000L;

    private final Histogram histogram = new Histogram(1, MAX_MICROS, 3);

    void recordNanos(long nanos) {
        histogram.recordValue(Math.max(1, Math.min(MAX_MICROS, nanos / 1_000)));
    }

    void add(Latency other) {
        histogram.add(other.histogram);
    }

    long count() {
        return histogram.getTotalCount();
    }

    /** The percentile in milliseconds; NaN when nothing was recorded. */
    double percentileMillis(double percentile) {
        return count() == 0 ? Double.NaN : histogram.getValueAtPercentile(percentile) / 1000.0;
    }

    double maxMillis() {
        return count() == 0 ? Double.NaN : histogram.getMaxValue() / 1000.0;
    }

    String summary() {
        if (count() == 0) {
            return "no samples";
        }
        return String.format(Locale.ROOT, "p50 %s  p90 %s  p99 %s  max %s ms  (%d samples)",
                ms(percentileMillis(50)), ms(percentileMillis(90)), ms(percentileMillis(99)), ms(maxMillis()), count());
    }

    static String ms(double millis) {
        if (Double.isNaN(millis)) {
            return "-";
        }
        return millis < 10 ? String.format(Locale.ROOT, "%.2f", millis) : String.format(Locale.ROOT, "%.1f", millis);
    }
}

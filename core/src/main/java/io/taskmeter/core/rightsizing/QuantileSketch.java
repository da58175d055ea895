package io.taskmeter.core.rightsizing;

import java.util.Arrays;

/**
 * A mergeable quantile sketch of non-negative values with a relative-error guarantee (DDSketch, Masson et al.,
 * VLDB 2019): every quantile it returns is within ±{@code relativeAccuracy} of a value of the right rank. Values
 * fall into logarithmic buckets, so a sketch of a day of 1 s samples, or of a million attempts, is a few hundred
 * counters, and two sketches merge by adding counters: per-batch sketches combine into a per-attempt one, and
 * per-attempt ones into a task's, in any order, with the same result.
 *
 * <p>Quantiles follow the rank convention of {@link Quantiles} (rank q·(n−1)), taking the lower of the two
 * neighbouring ranks instead of interpolating: a sketch cannot interpolate between values it no longer holds.
 * Values below {@link #MIN_VALUE} count as zero (an idle process's 0.0 cores must not land in a bucket of its own
 * per order of magnitude). Not thread-safe.
 */
public final class QuantileSketch {
    /** Smallest value kept apart from zero: a microcore, a byte. */
    public static final double MIN_VALUE = 1e-6;
    /** Buckets kept at most; beyond it the lowest buckets are merged (their relative error grows, not the top's). */
    static final int MAX_BUCKETS = 4096;

    private final double relativeAccuracy;
    private final double gamma;
    private final double logGamma;
    private long zeroCount;
    private long count;
    private double min = Double.POSITIVE_INFINITY;
    private double max = Double.NEGATIVE_INFINITY;
    /** counts[i] holds bucket index (offset + i); grown in both directions as needed. */
    private long[] counts = new long[0];
    private int offset;

    public QuantileSketch(double relativeAccuracy) {
        if (!(relativeAccuracy > 0 && relativeAccuracy < 1)) {
            throw new IllegalArgumentException("relative accuracy " + relativeAccuracy + " is not within (0, 1)");
        }
        this.relativeAccuracy = relativeAccuracy;
        this.gamma = (1 + relativeAccuracy) / (1 - relativeAccuracy);
        this.logGamma = Math.log(gamma);
    }

    /** A sketch accurate to 1 %, what the reports need for cores and bytes. */
    public static QuantileSketch onePercent() {
        return new QuantileSketch(0.01);
    }

    public double relativeAccuracy() {
        return relativeAccuracy;
    }

    public long count() {
        return count;
    }

    public void add(double value) {
        add(value, 1);
    }

    /** Adds a value {@code times} times (a weight: an interval of several seconds at one rate). */
    public void add(double value, long times) {
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException("a sketch holds finite values ≥ 0, not " + value);
        }
        if (times <= 0) {
            return;
        }
        count += times;
        min = Math.min(min, value);
        max = Math.max(max, value);
        if (value < MIN_VALUE) {
            zeroCount += times;
            return;
        }
        int index = (int) Math.ceil(Math.log(value) / logGamma);
        ensure(index);
        counts[index - offset] += times;
        collapseIfNeeded();
    }

    /** Adds every count of {@code other} (same accuracy required) to this sketch; {@code other} is unchanged. */
    public void merge(QuantileSketch other) {
        if (other.relativeAccuracy != relativeAccuracy) {
            throw new IllegalArgumentException("cannot merge a sketch of accuracy " + other.relativeAccuracy
                    + " into one of " + relativeAccuracy);
        }
        if (other.count == 0) {
            return;
        }
        count += other.count;
        zeroCount += other.zeroCount;
        min = Math.min(min, other.min);
        max = Math.max(max, other.max);
        for (int i = 0; i < other.counts.length; i++) {
            if (other.counts[i] != 0) {
                int index = other.offset + i;
                ensure(index);
                counts[index - offset] += other.counts[i];
            }
        }
        collapseIfNeeded();
    }

    /**
     * @param q in [0, 1]
     * @return the q-quantile within the sketch's relative accuracy, NaN for an empty sketch; the exact minimum
     *         and maximum at q = 0 and q = 1
     */
    public double quantile(double q) {
        if (q < 0 || q > 1 || Double.isNaN(q)) {
            throw new IllegalArgumentException("quantile " + q + " is not within [0, 1]");
        }
        if (count == 0) {
            return Double.NaN;
        }
        if (q == 0) {
            return min;
        }
        if (q == 1) {
            return max;
        }
        long rank = (long) Math.floor(q * (count - 1));
        long seen = zeroCount;
        if (rank < seen) {
            return min < MIN_VALUE ? min : 0;
        }
        for (int i = 0; i < counts.length; i++) {
            seen += counts[i];
            if (rank < seen) {
                // The bucket's value of least relative error, kept within what was really seen.
                double value = 2 * Math.pow(gamma, offset + i) / (gamma + 1);
                return Math.max(min, Math.min(max, value));
            }
        }
        return max;
    }

    private void ensure(int index) {
        if (counts.length == 0) {
            counts = new long[16];
            offset = index - 8;
        }
        if (index < offset) {
            int grow = Math.max(offset - index, counts.length / 2);
            long[] bigger = new long[counts.length + grow];
            System.arraycopy(counts, 0, bigger, grow, counts.length);
            counts = bigger;
            offset -= grow;
        } else if (index >= offset + counts.length) {
            int need = index - offset + 1;
            counts = Arrays.copyOf(counts, Math.max(need, counts.length + counts.length / 2));
        }
    }

    /** Keeps the span of buckets bounded by folding the lowest into the lowest one kept. */
    private void collapseIfNeeded() {
        int lo = 0;
        while (lo < counts.length && counts[lo] == 0) {
            lo++;
        }
        int hi = counts.length - 1;
        while (hi >= 0 && counts[hi] == 0) {
            hi--;
        }
        if (hi - lo + 1 <= MAX_BUCKETS) {
            return;
        }
        int keepFrom = hi - MAX_BUCKETS + 1;
        long folded = 0;
        for (int i = lo; i <= keepFrom; i++) {
            folded += counts[i];
            counts[i] = 0;
        }
        counts[keepFrom] = folded;
    }
}

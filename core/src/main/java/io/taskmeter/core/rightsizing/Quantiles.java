package io.taskmeter.core.rightsizing;

import java.util.Arrays;

/**
 * Percentiles by linear interpolation between closest ranks (numpy's default, Hyndman–Fan type 7), on exact
 * arrays for now: a mergeable sketch (DDSketch) replaces this when distributions span many attempts.
 */
public final class Quantiles {
    private Quantiles() {
    }

    /**
     * @param q in [0, 1]
     * @return the q-quantile of the values, NaN when there are none
     */
    public static double of(double[] values, double q) {
        if (q < 0 || q > 1 || Double.isNaN(q)) {
            throw new IllegalArgumentException("quantile " + q + " is not within [0, 1]");
        }
        if (values.length == 0) {
            return Double.NaN;
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        double rank = q * (sorted.length - 1);
        int lo = (int) Math.floor(rank);
        int hi = (int) Math.ceil(rank);
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo);
    }
}

package io.taskmeter.core.rightsizing;

import java.util.Arrays;

/** Percentiles by linear interpolation between closest ranks (numpy's default), on exact arrays for now. */
public final class Quantiles {
    private Quantiles() {
    }

    public static double of(double[] values, double q) {
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

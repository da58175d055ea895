package io.taskmeter.core.rightsizing;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class QuantilesTest {
    @Test
    void interpolatesBetweenClosestRanksLikeNumpy() {
        // np.percentile([1, 2, 3, 4], 50) = 2.5: rank 0.5 × 3 = 1.5, halfway between 2 and 3
        assertEquals(2.5, Quantiles.of(new double[] {4, 1, 3, 2}, 0.5), 1e-12);
        // sorted 0.2 0.3 0.4 0.5 0.9, rank 0.95 × 4 = 3.8: 0.5 + 0.8 × (0.9 − 0.5) = 0.82
        assertEquals(0.82, Quantiles.of(new double[] {0.2, 0.5, 0.3, 0.9, 0.4}, 0.95), 1e-12);
    }

    @Test
    void endsAndSingleValues() {
        double[] v = {3, 1, 2};
        assertEquals(1, Quantiles.of(v, 0), 1e-12);
        assertEquals(3, Quantiles.of(v, 1), 1e-12);
        assertEquals(7, Quantiles.of(new double[] {7}, 0.95), 1e-12);
        assertArrayEquals(new double[] {3, 1, 2}, v, "the input is not sorted in place");
    }

    @Test
    void emptyIsNaNAndQuantileMustBeAFraction() {
        assertTrue(Double.isNaN(Quantiles.of(new double[0], 0.95)));
        assertThrows(IllegalArgumentException.class, () -> Quantiles.of(new double[] {1}, 95));
    }
}

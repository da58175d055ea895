package io.taskmeter.core.rightsizing;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class QuantileSketchTest {
    private static final double[] QS = {0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.995};

    @Test
    void everyQuantileIsWithinTheRelativeAccuracyOfTheValueOfThatRank() {
        Random random = new Random(42);
        for (String shape : List.of("lognormal", "uniform", "idle-then-busy", "bytes")) {
            double[] values = new double[20_000];
            for (int i = 0; i < values.length; i++) {
                values[i] = switch (shape) {
                    case "lognormal" -> Math.exp(random.nextGaussian() * 2);
                    case "uniform" -> random.nextDouble() * 4;
                    case "idle-then-busy" -> i < 12_000 ? 0.0 : 0.9 + random.nextDouble() * 0.2;
                    default -> (double) (64L << 20) + random.nextInt(1 << 30);
                };
            }
            QuantileSketch sketch = QuantileSketch.onePercent();
            for (double v : values) {
                sketch.add(v);
            }
            double[] sorted = values.clone();
            Arrays.sort(sorted);
            for (double q : QS) {
                double truth = sorted[(int) Math.floor(q * (sorted.length - 1))];
                double got = sketch.quantile(q);
                assertEquals(truth, got, truth * 0.01 + 1e-12, shape + " p" + q);
            }
            assertEquals(sorted[0], sketch.quantile(0), shape + " min");
            assertEquals(sorted[sorted.length - 1], sketch.quantile(1), shape + " max");
        }
    }

    @Test
    void mergingPartsInAnyOrderGivesTheSketchOfTheWhole() {
        Random random = new Random(7);
        QuantileSketch whole = QuantileSketch.onePercent();
        List<QuantileSketch> parts = new ArrayList<>();
        for (int p = 0; p < 30; p++) {
            QuantileSketch part = QuantileSketch.onePercent();
            int n = random.nextInt(500);
            for (int i = 0; i < n; i++) {
                // Each part its own scale, as batches of an attempt whose load changes.
                double v = random.nextDouble() < 0.1 ? 0 : Math.exp(random.nextGaussian() + p / 10.0);
                part.add(v);
                whole.add(v);
            }
            parts.add(part);
        }
        for (int round = 0; round < 3; round++) {
            Collections.shuffle(parts, random);
            QuantileSketch merged = QuantileSketch.onePercent();
            for (QuantileSketch part : parts) {
                merged.merge(part);
            }
            assertEquals(whole.count(), merged.count());
            for (double q : QS) {
                assertEquals(whole.quantile(q), merged.quantile(q), "p" + q + " after merge round " + round);
            }
        }
    }

    @Test
    void aWeightCountsAsThatManyValues() {
        QuantileSketch weighted = QuantileSketch.onePercent();
        QuantileSketch repeated = QuantileSketch.onePercent();
        weighted.add(0.5, 90);
        weighted.add(2.0, 10);
        for (int i = 0; i < 90; i++) {
            repeated.add(0.5);
        }
        for (int i = 0; i < 10; i++) {
            repeated.add(2.0);
        }
        for (double q : QS) {
            assertEquals(repeated.quantile(q), weighted.quantile(q), "p" + q);
        }
        // rank 0.95·99 = 94 is past the 90 values of 0.5
        assertEquals(2.0, weighted.quantile(0.95), 2.0 * 0.01);
        assertEquals(0.5, weighted.quantile(0.5), 0.5 * 0.01);
    }

    @Test
    void aRangeWiderThanItsBucketsStaysAccurateAtTheTop() {
        QuantileSketch sketch = new QuantileSketch(0.001);
        // 1e-6 .. 1e6 at 0.1 %: about 13,800 buckets, more than the sketch keeps.
        List<Double> values = new ArrayList<>();
        for (double v = 1e-6; v < 1e6; v *= 1.001) {
            values.add(v);
            sketch.add(v);
        }
        double truth = values.get((int) Math.floor(0.99 * (values.size() - 1)));
        assertEquals(truth, sketch.quantile(0.99), truth * 0.001);
        double low = values.get((int) Math.floor(0.01 * (values.size() - 1)));
        assertTrue(sketch.quantile(0.01) >= low * 0.999,
                "folding moves the low end up into the lowest bucket kept, never below its values");
    }

    @Test
    void refusesWhatItCannotHold() {
        QuantileSketch sketch = QuantileSketch.onePercent();
        assertTrue(Double.isNaN(sketch.quantile(0.5)), "an empty sketch has no quantile");
        assertThrows(IllegalArgumentException.class, () -> sketch.add(-1));
        assertThrows(IllegalArgumentException.class, () -> sketch.add(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> sketch.quantile(1.5));
        assertThrows(IllegalArgumentException.class, () -> sketch.merge(new QuantileSketch(0.02)));
    }
}

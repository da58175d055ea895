package io.taskmeter.core.rightsizing;

import io.taskmeter.core.cost.UnitPrices;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RightsizerTest {
    private static final long NOW = 1_800_000_000_000L;
    private static final long DAY = 86_400_000L;
    private static final long MIB = 1L << 20;
    /** Round unit prices so the savings can be done by hand: $0.04 per vCPU-hour, $0.005 per GiB-hour. */
    private static final UnitPrices PRICES = new UnitPrices(0.04, 0.005, 0.12, "m5.large", "test");
    private static final RightsizingSettings S = RightsizingSettings.defaults();

    private static AttemptStats ok(String id, double daysAgo, double seconds, double p95, long peakMiB,
                                   double cpus, long memMiB) {
        return new AttemptStats(id, NOW - (long) (daysAgo * DAY), seconds, true, false, p95, peakMiB * MIB, cpus,
                memMiB * MIB, "host share");
    }

    private static AttemptStats failed(String id, double daysAgo, boolean oom, double p95, long peakMiB,
                                       double cpus, long memMiB) {
        return new AttemptStats(id, NOW - (long) (daysAgo * DAY), 600, false, oom, p95, peakMiB * MIB, cpus,
                memMiB * MIB, "request");
    }

    private static Recommendation recommend(List<AttemptStats> attempts) {
        return Rightsizer.recommend("airflow:etl:load", attempts, PRICES, S, NOW);
    }

    @Test
    void defaults() {
        assertEquals(new RightsizingSettings(14, 0.95, 1.15, 1.15, 1.25, 0.05, 128 * MIB, 1.3), S);
    }

    @Test
    void oneAttempt() {
        // CPU 0.4 × 1.15 = 0.46; memory 512 MiB × 1.15 = 588.8 → 589 MiB (whole MiB, up).
        // Over-provisioned: 2 cores > 1.3 × 0.46. Saving per hour: (2 − 0.46) × 0.04 + (8192 − 589) / 1024 × 0.005
        // = 0.0616 + 0.0371240 = 0.0987240; the task ran 1 h in 14 days → 30 / 14 h a month → $0.2116 → 0.21.
        Recommendation r = recommend(List.of(ok("a1", 1, 3600, 0.4, 512, 2, 8192)));
        assertEquals(0.46, r.cpuCores(), 1e-9);
        assertEquals(589 * MIB, r.memoryBytes());
        assertEquals(2, r.currentCpus(), 1e-9);
        assertEquals(8192 * MIB, r.currentMemoryBytes());
        assertEquals("host share", r.currentSource());
        assertEquals("over-provisioned", r.finding());
        assertEquals("low", r.confidence());
        assertEquals(1, r.attemptsCounted());
        assertEquals(0, r.oomKilled());
        assertEquals(0.21, r.monthlyDeltaUsd(), 1e-9);
        assertEquals("CPU: p95 of per-attempt p95 (0.4 cores) × 1.15 = 0.46 cores; memory: max peak 512 MiB × 1.15 "
                + "= 589 MiB; 1 successful attempt in 14 days (low confidence); allocation 2 cores / 8 GiB from host "
                + "share; over-provisioned: lower to 0.46 cores / 589 MiB to save $0.21/month", r.explanation());
    }

    @Test
    void severalAttemptsTakeTheP95OfPerAttemptP95AndTheMaxPeak() {
        // p95s sorted 0.2 0.3 0.4 0.5 0.9: rank 0.95 × 4 = 3.8 → 0.5 + 0.8 × 0.4 = 0.82; × 1.15 = 0.943 cores.
        // Peaks: max 1024 MiB × 1.15 = 1177.6 → 1178 MiB. Five successful attempts: high confidence.
        // Allocation 1 core / 1331 MiB: not below, and within 1.3 × (1.2259 cores, 1531.4 MiB): right-sized.
        List<AttemptStats> attempts = List.of(
                ok("a1", 5, 600, 0.2, 300, 1, 1331),
                ok("a2", 4, 600, 0.5, 1024, 1, 1331),
                ok("a3", 3, 600, 0.3, 700, 1, 1331),
                ok("a4", 2, 600, 0.9, 900, 1, 1331),
                ok("a5", 1, 600, 0.4, 512, 1, 1331));
        Recommendation r = recommend(attempts);
        assertEquals(0.943, r.cpuCores(), 1e-9);
        assertEquals(1178 * MIB, r.memoryBytes());
        assertEquals("high", r.confidence());
        assertEquals(5, r.attemptsCounted());
        assertEquals("right-sized", r.finding());
        assertTrue(r.explanation().startsWith("CPU: p95 of per-attempt p95 (0.82 cores) × 1.15 = 0.943 cores; "
                + "memory: max peak 1 GiB × 1.15 = 1.15 GiB; 5 successful attempts in 14 days (high confidence)"),
                r.explanation());
        assertTrue(r.explanation().endsWith("right-sized: keep the allocation (within 1.3 × the recommended "
                + "0.943 cores / 1.15 GiB)"), r.explanation());

        assertEquals("medium", recommend(attempts.subList(0, 2)).confidence());
        assertEquals("medium", recommend(attempts.subList(0, 4)).confidence());
    }

    @Test
    void anOomKilledAttemptRaisesMemoryToTheBumpedAllocation() {
        // The successful attempt peaked at 512 MiB (→ 589 MiB), but one with 1 GiB was OOM-killed:
        // memory = max(589 MiB, 1.25 × 1024 MiB = 1280 MiB) = 1280 MiB, above the 1 GiB allocation.
        Recommendation r = recommend(List.of(
                failed("a1", 2, true, 0.5, 1024, 1, 1024),
                ok("a2", 1, 600, 0.5, 512, 1, 1024)));
        assertEquals(1280 * MIB, r.memoryBytes());
        assertEquals(0.575, r.cpuCores(), 1e-9);
        assertEquals(1, r.oomKilled());
        assertEquals(1, r.attemptsCounted(), "the OOM-killed attempt is not a success");
        assertEquals("under-provisioned", r.finding());
        assertTrue(r.explanation().contains("memory: max peak 512 MiB × 1.15 = 589 MiB, raised to 1.25 × the 1 GiB "
                + "allocation of an OOM-killed attempt = 1.25 GiB"), r.explanation());
        assertTrue(r.explanation().contains("(low confidence), 1 OOM-killed"), r.explanation());
    }

    @Test
    void floors() {
        // 0.01 × 1.15 = 0.0115 cores → 0.05; 10 MiB × 1.15 → 12 MiB → 128 MiB.
        Recommendation r = recommend(List.of(ok("a1", 1, 600, 0.01, 10, 1, 1024)));
        assertEquals(0.05, r.cpuCores(), 1e-12);
        assertEquals(128 * MIB, r.memoryBytes());
        assertTrue(r.explanation().contains("= 0.012 cores, raised to the 0.05 cores floor"), r.explanation());
        assertTrue(r.explanation().contains("= 12 MiB, raised to the 128 MiB floor"), r.explanation());
    }

    @Test
    void attemptsOlderThanTheWindowAreLeftOut() {
        // In the window: p95 0.2 and 0.6 → 0.2 + 0.95 × 0.4 = 0.58 × 1.15 = 0.667; peaks 256, 512 MiB → 589 MiB.
        // The 20-day-old attempt (4 cores, 8 GiB peak) counts for nothing, not even its hours.
        Recommendation r = recommend(List.of(
                ok("old", 20, 36_000, 4.0, 8192, 8, 16384),
                ok("a1", 13, 3600, 0.2, 256, 1, 1024),
                ok("a2", 1, 3600, 0.6, 512, 1, 1024)));
        assertEquals(0.667, r.cpuCores(), 1e-9);
        assertEquals(589 * MIB, r.memoryBytes());
        assertEquals(2, r.attemptsCounted());
        assertEquals(1, r.currentCpus(), 1e-9);
        // (1 − 0.667) × 0.04 + (1024 − 589) / 1024 × 0.005 = 0.01332 + 0.00212402 = 0.01544402 $/h;
        // 2 h in 14 days → 60 / 14 h a month → $0.0662 → 0.07
        assertEquals(0.07, r.monthlyDeltaUsd(), 1e-9);
    }

    @Test
    void aTaskNotRunInTheWindowIsRecommendedFromOlderAttemptsWithoutSavings() {
        Recommendation r = recommend(List.of(ok("old", 30, 3600, 0.4, 512, 2, 8192)));
        assertEquals(0.46, r.cpuCores(), 1e-9);
        assertEquals("low", r.confidence());
        assertEquals(0, r.monthlyDeltaUsd());
        assertTrue(r.explanation().contains("no attempt in the last 14 days, so 1 older attempt counted"),
                r.explanation());
        assertThrows(IllegalArgumentException.class, () -> recommend(List.of()));
    }

    @Test
    void withoutASuccessfulAttemptAllAreCountedAndTheExplanationSaysSo() {
        // p95 0.5 and 1.0: 0.5 + 0.95 × 0.5 = 0.975 × 1.15 = 1.12125 → 1.121 cores, above the 1-core request.
        Recommendation r = recommend(List.of(
                failed("a1", 2, false, 0.5, 512, 1, 2048),
                failed("a2", 1, false, 1.0, 1024, 1, 2048)));
        assertEquals(1.121, r.cpuCores(), 1e-9);
        assertEquals(1178 * MIB, r.memoryBytes());
        assertEquals(2, r.attemptsCounted());
        assertEquals("medium", r.confidence());
        assertEquals("under-provisioned", r.finding());
        assertEquals("request", r.currentSource());
        assertTrue(r.explanation().contains("2 attempts in 14 days, none known to have succeeded, so all counted"),
                r.explanation());
    }

    @Test
    void findings() {
        // Recommendation 0.46 cores / 589 MiB throughout (p95 0.4, peak 512 MiB).
        assertEquals("under-provisioned", finding(0.4, 8192), "CPU below wins over memory above");
        assertEquals("under-provisioned", finding(2, 512));
        assertEquals("over-provisioned", finding(0.5, 1024), "memory 1024 > 1.3 × 589 = 765.7 MiB");
        assertEquals("over-provisioned", finding(0.6, 700), "CPU 0.6 > 1.3 × 0.46 = 0.598");
        assertEquals("right-sized", finding(0.59, 765));
        assertEquals("right-sized", finding(0.46, 589), "exactly the recommendation");
    }

    private static String finding(double cpus, long memMiB) {
        return recommend(List.of(ok("a1", 1, 600, 0.4, 512, cpus, memMiB))).finding();
    }

    @Test
    void savingsArithmetic() {
        // Two 7-hour attempts in 14 days: 14 h × 30 / 14 = 30 h a month at 0.46 cores / 589 MiB recommended.
        // Allocation 2 cores / 4 GiB: (2 − 0.46) × 0.04 + (4096 − 589) / 1024 × 0.005 = 0.0616 + 0.01712402
        // = 0.07872402 $/h × 30 = $2.3617 → 2.36 saved.
        List<AttemptStats> attempts = new ArrayList<>(List.of(
                ok("a1", 3, 7 * 3600, 0.4, 512, 2, 4096),
                ok("a2", 2, 7 * 3600, 0.4, 512, 2, 4096)));
        Recommendation over = recommend(attempts);
        assertEquals(2.36, over.monthlyDeltaUsd(), 1e-9);
        assertTrue(over.explanation().endsWith("to save $2.36/month"), over.explanation());

        // Allocation 0.2 cores / 256 MiB on the newest attempt: (0.2 − 0.46) × 0.04 + (256 − 589) / 1024 × 0.005
        // = −0.0104 − 0.00162598 = −0.01202598 $/h × 30 = −$0.3608 → −0.36: raising costs that much more.
        attempts.add(ok("a3", 1, 0, 0.4, 512, 0.2, 256));
        Recommendation under = recommend(attempts);
        assertEquals("under-provisioned", under.finding());
        assertEquals(-0.36, under.monthlyDeltaUsd(), 1e-9);
        assertTrue(under.explanation().endsWith("under-provisioned: raise to 0.46 cores / 589 MiB "
                + "(costs $0.36/month more)"), under.explanation());
    }
}

package io.taskmeter.core.stall;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StallDetectorTest {
    final StallDetector detector = new StallDetector(StallSettings.defaults());
    static final long T0 = 1_763_800_000_000L;

    /** {@code n} one-minute intervals after {@code from} minutes, all alike. */
    static void add(List<StallDetector.Point> points, int from, int n, double cores, long io, long disk, int d) {
        for (int i = 0; i < n; i++) {
            points.add(new StallDetector.Point(T0 + (from + i + 1) * 60_000L, 60, cores, io, disk, d));
        }
    }

    @Test
    void tenMinutesWithoutCpuOrIoIsAStallSinceItsFirstIdleMinute() {
        List<StallDetector.Point> p = new ArrayList<>();
        add(p, 0, 5, 1.0, 1_000_000, 0, 0);
        add(p, 5, 9, 0.0, 0, 0, 0);
        assertTrue(detector.evaluate(p, true).isEmpty(), "nine idle minutes are not ten");
        add(p, 14, 1, 0.01, 0, 0, 0);
        Map<Episode.Kind, Episode> open = detector.evaluate(p, true);
        assertEquals(1, open.size());
        Episode e = open.get(Episode.Kind.STALL);
        assertEquals(T0 + 5 * 60_000L, e.sinceMs());
        assertEquals(600, e.seconds(), 1e-9);
        assertTrue(detector.evaluate(p, false).isEmpty(), "an ended attempt is not stuck");
        add(p, 15, 1, 0.5, 10, 0, 0);
        assertTrue(detector.evaluate(p, true).isEmpty(), "any progress ends the episode");
    }

    @Test
    void ioHangNeedsDStateAndNoDiskProgressForTwoMinutes() {
        List<StallDetector.Point> p = new ArrayList<>();
        add(p, 0, 2, 0.0, 0, 0, 1);
        assertEquals(Map.of(), Map.copyOf(detector.evaluate(p.subList(0, 1), true)));
        Episode e = detector.evaluate(p, true).get(Episode.Kind.IO_HANG);
        assertEquals(T0, e.sinceMs());
        assertEquals(1, e.signals().get("processes_in_d_state"));
        List<StallDetector.Point> progressing = new ArrayList<>();
        add(progressing, 0, 3, 0.0, 4096, 4096, 1);
        assertTrue(detector.evaluate(progressing, true).isEmpty(), "D state with disk progress is just I/O");
    }

    @Test
    void spinIsBusyCpuWithNoIoForTenMinutes() {
        List<StallDetector.Point> p = new ArrayList<>();
        add(p, 0, 10, 0.95, 0, 0, 0);
        assertTrue(detector.evaluate(p, true).containsKey(Episode.Kind.SPIN));
        List<StallDetector.Point> working = new ArrayList<>();
        add(working, 0, 10, 0.95, 100, 0, 0);
        assertTrue(detector.evaluate(working, true).isEmpty(), "CPU with output is work, not a spin");
    }

    @Test
    void verdictDoesNotDependOnTheOrderPointsArrivedIn() {
        List<StallDetector.Point> p = new ArrayList<>();
        add(p, 0, 12, 0.0, 0, 0, 0);
        List<StallDetector.Point> shuffled = new ArrayList<>(p);
        java.util.Collections.shuffle(shuffled, new java.util.Random(7));
        shuffled.sort(java.util.Comparator.comparingLong(StallDetector.Point::endMs));
        assertEquals(detector.evaluate(p, true).get(Episode.Kind.STALL).sinceMs(),
                detector.evaluate(shuffled, true).get(Episode.Kind.STALL).sinceMs());
    }

    @Test
    void scaledSettingsKeepTheRatios() {
        StallSettings s = StallSettings.defaults().withStallAfter(6);
        assertEquals(6, s.stallSeconds(), 1e-9);
        assertEquals(1.2, s.ioHangSeconds(), 1e-9);
    }
}

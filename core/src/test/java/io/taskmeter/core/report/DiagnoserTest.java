package io.taskmeter.core.report;

import io.taskmeter.core.stall.StallDetector;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DiagnoserTest {
    static List<StallDetector.Point> series(int n, double cores, long io, long disk, int d) {
        List<StallDetector.Point> p = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            p.add(new StallDetector.Point(1000L * (i + 1), 1, cores, io, disk, d));
        }
        return p;
    }

    @Test
    void eachShapeGetsItsVerdictAndEvidence() {
        Diagnosis cpu = Diagnoser.diagnose(series(60, 1.0, 0, 0, 0), 100 << 20, 1L << 30, 2);
        assertEquals("cpu-bound", cpu.primary());
        assertEquals(1.0, cpu.signals().get("busy_fraction"));
        assertTrue(cpu.suggestions().get(0).contains("compute-optimised"));

        Diagnosis io = Diagnoser.diagnose(series(60, 0.1, 50_000_000, 50_000_000, 1), 100 << 20, 1L << 30, 2);
        assertEquals("io-bound", io.primary());
        assertTrue(io.evidence().get(0).contains("100 %"), io.evidence().toString());

        Diagnosis mem = Diagnoser.diagnose(series(60, 0.5, 0, 0, 0), 950 << 20, 1000L << 20, 2);
        assertEquals("memory-bound", mem.primary());

        Diagnosis idle = Diagnoser.diagnose(series(60, 0.0, 0, 0, 0), 10 << 20, 1L << 30, 1);
        assertEquals("idle", idle.primary());
        assertTrue(idle.suggestions().get(0).contains("deferrable"));
    }

    @Test
    void computeThenWaitIsToldToSplitAndSpawnStormsAreNamed() {
        List<StallDetector.Point> p = new ArrayList<>(series(30, 1.0, 0, 0, 0));
        for (StallDetector.Point q : series(70, 0.0, 0, 0, 0)) {
            p.add(new StallDetector.Point(q.endMs() + 30_000, 1, 0, 0, 0, 0));
        }
        Diagnosis d = Diagnoser.diagnose(p, 10 << 20, 1L << 30, 300);
        assertEquals("idle", d.primary());
        assertTrue(d.suggestions().stream().anyMatch(s -> s.contains("split")), d.suggestions().toString());
        assertTrue(d.evidence().stream().anyMatch(s -> s.contains("subprocesses per minute")), d.evidence().toString());
    }

    @Test
    void noIntervalsIsUnknownNotAGuess() {
        assertEquals("unknown", Diagnoser.diagnose(List.of(), 0, 0, 0).primary());
    }
}

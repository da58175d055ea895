package io.taskmeter.core.attribution;

import io.taskmeter.core.usage.Intervals;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TaskRunSplitTest {
    /** Ten one-second intervals ending at 1..10 s: 1 core in 1..4 s, 0.5 core in 6..9 s, idle otherwise. */
    private static Intervals flowRun() {
        double[] s = new double[10];
        double[] c = new double[10];
        long[] m = new long[10];
        long[] t = new long[10];
        for (int i = 0; i < 10; i++) {
            s[i] = 1;
            t[i] = (i + 1) * 1000L;
            c[i] = i >= 1 && i <= 3 ? 1.0 : i >= 6 && i <= 8 ? 0.5 : 0;
            m[i] = 100;
        }
        return new Intervals(s, c, m, t, null, null, null);
    }

    @Test
    void separateWindowsGetTheCpuOfTheirIntervals() {
        List<TaskRunSplit.Share> shares = TaskRunSplit.split(List.of(flowRun()), List.of(
                new TaskRunSplit.Window("a", 800, 4_200L), new TaskRunSplit.Window("b", 5_500, null)));
        assertEquals(3.0, shares.get(0).cpuSeconds(), 1e-9);
        assertEquals(1.5, shares.get(1).cpuSeconds(), 1e-9, "a running task run reaches the flow run's end");
        assertFalse(shares.get(0).shared());
        assertFalse(shares.get(1).shared());
    }

    @Test
    void overlappingWindowsShareByOverlapAndAreFlagged() {
        List<TaskRunSplit.Share> shares = TaskRunSplit.split(List.of(flowRun()), List.of(
                new TaskRunSplit.Window("a", 1_000, 4_000L), new TaskRunSplit.Window("b", 3_000, 4_000L)));
        // 1..3 s: a alone (2 cpu-s); 3..4 s: half each.
        assertEquals(2.5, shares.get(0).cpuSeconds(), 1e-9);
        assertEquals(0.5, shares.get(1).cpuSeconds(), 1e-9);
        assertTrue(shares.get(0).shared() && shares.get(1).shared());
    }
}

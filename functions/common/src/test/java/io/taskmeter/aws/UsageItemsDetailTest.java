package io.taskmeter.aws;

import io.taskmeter.core.batch.TopProcess;
import io.taskmeter.core.usage.Intervals;
import io.taskmeter.core.usage.UsageSlice;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Batch format 1.1 detail is stored additively: it round-trips, and a slice written before it still reads. */
class UsageItemsDetailTest {
    /** With {@code runMs} 0, a slice as a 1.0 batch gives it: no state times, switches, PSS or cgroup. */
    static UsageSlice slice(long runMs, List<TopProcess> top) {
        boolean detail = runMs > 0;
        Intervals iv = new Intervals(new double[] {1}, new double[] {0.5}, new long[] {1}, new long[] {2},
                new long[] {0}, new long[] {0}, new int[] {0}, new double[] {0.25}, new double[] {0.4},
                new double[] {0.1}, new double[] {0.02}, new double[] {1.5});
        return new UsageSlice("u", "h/b/1", "h", "airflow", "title", Map.of("dag_id", "d"), "cmd", 1, 2L, 1, 2, 0.5,
                10, 0, 0, 0, 0, 1, 3, 0, iv, "m5.large", 2, 8L << 30, runMs, detail ? 300 : 0, detail ? 250 : 0,
                detail ? 7 : 0, detail ? 2 : 0, detail ? 4096L : null, top, detail ? "/kubepods/pod1/c1" : null);
    }

    @Test
    void detailRoundTrips() {
        UsageSlice s = slice(500, List.of(new TopProcess("gzip -9", 400, 3)));
        UsageSlice back = UsageItems.fromItem(UsageItems.toItem(s, "pk", "sk"));
        assertEquals(List.of(500L, 300L, 250L, 7L, 2L, 4096L), List.of(back.runningMs(), back.sleepingMs(),
                back.diskWaitMs(), back.voluntarySwitches(), back.involuntarySwitches(), back.peakPssBytes()));
        assertEquals(s.topProcesses(), back.topProcesses());
        assertEquals("/kubepods/pod1/c1", back.cgroup());
        assertEquals(0.4, back.intervals().pc()[0]);
        assertEquals(1.5, back.intervals().rq()[0]);
        assertEquals(0.25, back.intervals().dw()[0]);
    }

    @Test
    void aSliceWithoutDetailWritesNoNewAttributesAndAnOldItemReads() {
        Map<String, AttributeValue> item = UsageItems.toItem(slice(0, List.of()), "pk", "sk");
        for (String a : List.of("run_ms", "vcsw", "peak_pss", "top", "cgroup")) {
            assertFalse(item.containsKey(a), a);
        }
        UsageSlice back = UsageItems.fromItem(item);
        assertEquals(List.of(), back.topProcesses());
        assertNull(back.peakPssBytes());
        assertEquals(0, back.runningMs());
    }
}

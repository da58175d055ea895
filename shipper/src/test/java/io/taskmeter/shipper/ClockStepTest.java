package io.taskmeter.shipper;

import io.taskmeter.core.batch.Batch;
import io.taskmeter.core.batch.Sample;
import io.taskmeter.core.batch.UnitSeries;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The wall clock steps forward and back under a running shipper: sample times stay ordered, batches valid. */
class ClockStepTest {
    static final long HOUR = 3_600_000;

    @Test
    void theClockFollowsForwardStepsAndNeverGoesBack() {
        AtomicLong wall = new AtomicLong(1_800_000_000_000L);
        AtomicLong nanos = new AtomicLong(0);
        MonotonicClock c = new MonotonicClock(wall::get, nanos::get);
        assertEquals(1_800_000_000_000L, c.getAsLong());
        nanos.addAndGet(1_000_000_000L);
        wall.addAndGet(1_000);
        assertEquals(1_800_000_001_000L, c.getAsLong());
        nanos.addAndGet(1_000_000_000L);
        wall.addAndGet(1_000 + HOUR); // NTP steps a late clock forward: followed
        assertEquals(1_800_000_002_000L + HOUR, c.getAsLong());
        nanos.addAndGet(1_000_000_000L);
        wall.addAndGet(1_000 - 2 * HOUR); // stepped back: time keeps counting real elapsed time
        assertEquals(1_800_000_003_000L + HOUR, c.getAsLong());
        nanos.addAndGet(500_000_000L);
        wall.addAndGet(500);
        assertEquals(1_800_000_003_500L + HOUR, c.getAsLong());
        nanos.addAndGet(1_000_000L);
        wall.addAndGet(1 + 3 * HOUR); // ahead again, beyond the step bound: followed
        assertEquals(1_800_000_003_501L + 2 * HOUR, c.getAsLong());
        wall.addAndGet(-1_000); // drift smaller than a step: no jump back
        assertEquals(1_800_000_003_501L + 2 * HOUR, c.getAsLong());
    }

    @Test
    void batchesStayValidAndOrderedThroughStepsForwardAndBack() throws Exception {
        Path dir = TestSupport.newDir();
        AtomicLong offset = new AtomicLong();
        ShipperConfig config = TestSupport.config(dir, 100, 400).build();
        Process task = TestSupport.start("while true; do i=0; while [ $i -lt 3000 ]; do i=$((i+1)); done; "
                + "sleep 0.02; done", "TASKMETER_TASK", "clock-task");
        long realStart = System.currentTimeMillis();
        try (Shipper shipper = Shipper.start(config, config.openSink(), null,
                () -> System.currentTimeMillis() + offset.get())) {
            // forward, back, forward but still behind the sample clock, then so far forward that one batch would
            // span the step (a reader takes up to 24 h ahead of its own clock, so the step stays below that)
            long[] steps = {HOUR, -3 * HOUR, HOUR / 2, 20 * HOUR};
            for (long step : steps) {
                long seq = shipper.lastSeq();
                TestSupport.await(() -> shipper.lastSeq() >= seq + 2, "two batches cut");
                offset.addAndGet(step);
            }
            long seq = shipper.lastSeq();
            TestSupport.await(() -> shipper.lastSeq() >= seq + 2, "two batches cut");
            shipper.flush();
        } finally {
            task.destroyForcibly();
        }
        List<Batch> batches = TestSupport.batches(dir.resolve("sink")); // every batch passes core validation
        assertTrue(batches.size() >= 6, "batches cut across the steps: " + batches.size());
        for (int i = 1; i < batches.size(); i++) {
            assertEquals(i + 1, batches.get(i).seq());
            assertTrue(batches.get(i).startMs() >= batches.get(i - 1).endMs(), "batches follow one another");
            assertTrue(batches.get(i).endMs() - batches.get(i).startMs() <= Batcher.MAX_SPAN_MS, "no batch spans a step");
        }
        List<Sample> samples = new ArrayList<>();
        for (UnitSeries u : TestSupport.units(batches, u -> "clock-task".equals(u.tags().get("task")))) {
            samples.addAll(u.samples());
        }
        assertTrue(samples.size() >= 8, "the task was sampled throughout: " + samples.size());
        for (int i = 1; i < samples.size(); i++) {
            assertTrue(samples.get(i).t() > samples.get(i - 1).t(), "sample times in order at " + i);
        }
        assertTrue(samples.get(samples.size() - 1).t() > realStart + 18 * HOUR, "the forward steps were followed");
    }
}

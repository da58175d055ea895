package io.taskmeter.core.report;

import io.taskmeter.core.batch.Batch;
import io.taskmeter.core.batch.HostInfo;
import io.taskmeter.core.batch.HostSample;
import io.taskmeter.core.batch.HostSeries;
import io.taskmeter.core.batch.Pressure;
import io.taskmeter.core.batch.Sample;
import io.taskmeter.core.batch.TopProcess;
import io.taskmeter.core.batch.UnitSeries;
import io.taskmeter.core.cost.PriceTable;
import io.taskmeter.core.rightsizing.RightsizingSettings;
import io.taskmeter.core.usage.Intervals;
import io.taskmeter.core.usage.UsageSlice;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Batch format 1.1 signals through usage slices to an attempt's diagnosis, with hand-computed expectations: a task
 * on an oversubscribed host is "contended", D-state time makes a task I/O-bound even when no sample caught a
 * process in D, and the attempt carries its subprocess count and top commands (merged over its units).
 */
class HostSignalsDiagnosisTest {
    static final long T0 = 1_764_000_000_000L;
    static final int N = 60;

    /** A host with 2 CPUs sampled every second: busy/steal/PSI grow by the given amounts each second. */
    static HostSeries host(long cpuSomeUsPerS, long stealMsPerS, int runnable) {
        IntFunction<HostSample> at = i -> new HostSample(T0 + i * 1000L, 1500L * i, 500L * i - stealMsPerS * i,
                0, stealMsPerS * i, 2.0, runnable, 0, 4L << 30, 0,
                new Pressure(cpuSomeUsPerS * i, null, 0L, 0L, 0L, 0L), List.of(), List.of());
        List<HostSample> samples = new ArrayList<>();
        for (int i = 1; i <= N; i++) {
            samples.add(at.apply(i));
        }
        return new HostSeries("host", at.apply(0), samples);
    }

    /** One unit at {@code cores}, with {@code dMsPerS} ms per second in D state but never in D at a sample. */
    static UnitSeries unit(String id, double cores, long dMsPerS, List<TopProcess> top) {
        List<Sample> samples = new ArrayList<>();
        for (int i = 1; i <= N; i++) {
            samples.add(new Sample(T0 + i * 1000L, Math.round(cores * 1000 * i), 100 << 20, 100 << 20, 0, 0, 0, 0, 1,
                    40, 1, 0, 1000L * i - dMsPerS * i, 0, dMsPerS * i, i, i, null, 0, null));
        }
        return new UnitSeries(id, 10, 20, T0, T0 + N * 1000L, "airflow", "title", Map.of(), "cmd",
                Sample.zeroAt(T0), samples, false, null, top);
    }

    static AttemptSummary attempt(HostSeries host, UnitSeries... units) {
        Batch b = new Batch(Batch.FORMAT, Batch.VERSION, "h", "b-1", "0.1", 1, T0, T0 + N * 1000L, 1000,
                new HostInfo(2, 8L << 30, "m5.large", "config", "Linux"), 0, List.of(units), host);
        List<UsageSlice> slices = new ArrayList<>();
        for (UnitSeries u : units) {
            slices.add(UsageSlice.of(b, u));
        }
        AttemptRecord r = new AttemptRecord("a1", Map.of("orchestrator", "airflow", "dag_or_flow", "etl",
                "task", "load"), slices);
        return new InsightsCalculator(PriceTable.builtIn(), RightsizingSettings.defaults())
                .compute(List.of(r), T0 + 100_000_000L).attempts().get(0);
    }

    @Test
    void aTaskOnAnOversubscribedHostIsContendedWithTheEvidence() {
        // PSI cpu some 400 ms of every 1,000 ms = 40 %; steal 150 of 2,000 CPU-ms = 7.5 %; run queue (5 − the
        // shipper's own thread) / 2 CPUs = 2.0 per CPU.
        AttemptSummary a = attempt(host(400_000, 150, 5), unit("u1", 0.3, 0, List.of()));
        Diagnosis d = a.diagnosis();
        assertEquals("contended", d.primary(), d.toString());
        assertEquals(1.0, d.signals().get("contended_fraction"));
        assertEquals(0.4, d.signals().get("host_cpu_pressure"));
        assertEquals(0.075, d.signals().get("host_steal"));
        assertEquals(2.0, d.signals().get("host_run_queue_per_cpu"));
        assertTrue(d.evidence().get(0).contains("PSI cpu some) 40 %") && d.evidence().get(0).contains("steal 8 %")
                && d.evidence().get(0).contains("2.0 runnable tasks per CPU"), d.evidence().toString());
        assertTrue(d.suggestions().get(0).contains("fewer tasks at once"), d.suggestions().toString());
    }

    @Test
    void aQuietHostLeavesTheVerdictToTheTask() {
        AttemptSummary a = attempt(host(10_000, 0, 1), unit("u1", 0.9, 0, List.of()));
        assertEquals("cpu-bound", a.diagnosis().primary());
        assertEquals(0.0, a.diagnosis().signals().get("contended_fraction"));
    }

    @Test
    void dStateTimeMakesItIoBoundEvenWhenNoSampleSawAProcessInD() {
        AttemptSummary a = attempt(host(0, 0, 1), unit("u1", 0.05, 600, List.of()));
        assertEquals(36.0, a.usage().diskWaitSeconds(), 1e-9, "600 ms of every second for 60 s");
        assertEquals(0.0, a.usage().diskWaitFraction(), "no sample caught a process in D");
        assertEquals("io-bound", a.diagnosis().primary(), a.diagnosis().toString());
        assertEquals(0.6, a.diagnosis().signals().get("disk_wait_fraction"));
    }

    @Test
    void theAttemptShowsItsSubprocessesAndTopCommandsMergedOverItsUnits() {
        AttemptSummary a = attempt(host(0, 0, 1),
                unit("u1", 0.5, 0, List.of(new TopProcess("gzip -9", 20_000, 30), new TopProcess("bash", 1_000, 1))),
                unit("u2", 0.5, 0, List.of(new TopProcess("gzip -9", 5_000, 10), new TopProcess("python x.py",
                        24_000, 1))));
        assertEquals(List.of(new TopProcess("gzip -9", 25_000, 40), new TopProcess("python x.py", 24_000, 1),
                new TopProcess("bash", 1_000, 1)), a.usage().topProcesses());
        assertEquals(80, a.usage().processesSeen(), "40 spawned in each unit");
        assertTrue(a.diagnosis().evidence().stream().anyMatch(e -> e.startsWith("80 processes in its tree; most CPU: "
                + "gzip -9 (25.0 s CPU, 40 processes); python x.py (24.0 s CPU)")), a.diagnosis().evidence().toString());
        String html = ReportHtml.render(WeeklyReport.of(new Insights(T0, List.of(a), List.of(), List.of()),
                List.of(), T0 - 1, T0 + 100_000_000L));
        assertTrue(html.contains("class=\"k top-processes\">80 processes; most CPU: <code>gzip -9</code> 25.0 s ×40"),
                "the report shows them");
    }

    @Test
    void aVersion10SliceHasUnknownHostFiguresAndNoContentionVerdict() {
        Intervals old = new Intervals(new double[] {1}, new double[] {0.1}, new long[1], new long[1], new long[1],
                new long[1], new int[1]);
        assertEquals(Intervals.UNKNOWN, old.pc()[0]);
        assertEquals(0.0, old.dw()[0]);
        Intervals back = Intervals.fromJson("{\"s\":[1],\"c\":[0.1]}");
        assertEquals(Intervals.UNKNOWN, back.rq()[0], "stored before 1.1");
    }
}

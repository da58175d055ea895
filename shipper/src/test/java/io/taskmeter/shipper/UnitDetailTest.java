package io.taskmeter.shipper;

import io.taskmeter.core.batch.Batch;
import io.taskmeter.core.batch.HostSample;
import io.taskmeter.core.batch.Sample;
import io.taskmeter.core.batch.TopProcess;
import io.taskmeter.core.batch.UnitSeries;
import io.taskmeter.core.usage.UnitUsage;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Per-unit detail of batch format 1.1 on real process trees: spawned processes, the top commands with their CPU
 * (redacted), time by state, context switches, PSS; and host signals beside every unit sample.
 */
class UnitDetailTest {
    static final long INTERVAL_MS = 300;

    @Test
    void topCommandIsNamedRedactedAndItsCpuMatchesWhatItsParentReaped() throws Exception {
        Path dir = TestSupport.newDir();
        Path truth = dir.resolve("awk-ticks");
        // sh runs awk, then writes its own cutime+cstime: exactly awk's CPU, as the kernel counted it at exit.
        String script = String.join("\n",
                "sh -c 'awk \"BEGIN{for(i=0;i<3e7;i++)s+=i}\" token=hunter2; read -r l < /proc/$$/stat; "
                        + "set -- ${l##*) }; echo $(( ${14} + ${15} )) > \"$0\"' '" + truth + "'",
                "sleep " + (2.5 * INTERVAL_MS / 1000.0), "true");
        List<UnitSeries> units = run(dir, script, "top");
        double awkSeconds = Long.parseLong(Files.readString(truth).strip()) / (double) new ProcReader().hz();
        List<TopProcess> top = units.get(units.size() - 1).topProcesses();
        System.out.println("top processes: " + top + "; awk by its parent's cutime " + awkSeconds + " s");
        assertFalse(top.isEmpty());
        TopProcess first = top.get(0);
        assertTrue(first.command().startsWith("awk BEGIN"), "argv0 base name and its arguments: " + first);
        assertTrue(first.command().contains("token=***") && !first.command().contains("hunter2"),
                "redacted: " + first.command());
        assertEquals(1, first.processes());
        assertTrue(awkSeconds > 0.5, "awk burnt CPU: " + awkSeconds);
        assertEquals(awkSeconds, first.cpuMillis() / 1000.0, awkSeconds * 0.03 + 0.02,
                "awk's CPU, its last interval included");
        assertTrue(top.size() <= UnitSeries.MAX_TOP_PROCESSES);
        for (int i = 1; i < top.size(); i++) {
            assertTrue(top.get(i - 1).cpuMillis() >= top.get(i).cpuMillis(), "most CPU first: " + top);
        }
    }

    @Test
    void twoHundredShortLivedSubprocessesAreCountedAndTheirCpuKept() throws Exception {
        Path dir = TestSupport.newDir();
        // 200 subshells, each far shorter than one interval; `true` keeps bash from exec-ing into the sleep.
        int n = 200;
        String script = String.join("\n",
                "i=0; while [ $i -lt " + n + " ]; do ( j=0; while [ $j -lt 3000 ]; do j=$((j+1)); done ); "
                        + "i=$((i+1)); done",
                "sleep " + (2.5 * INTERVAL_MS / 1000.0), "true");
        long before = AccuracyTest.ownChildTicks();
        List<UnitSeries> units = run(dir, script, "spawner");
        double truthCpu = (AccuracyTest.ownChildTicks() - before) / (double) new ProcReader().hz();
        double cpu = units.stream().mapToDouble(u -> UnitUsage.of(u).cpuSeconds()).sum();
        Sample last = units.get(units.size() - 1).last();
        long truthProcesses = 1 + n + 1; // the root, the subshells, sleep
        System.out.printf("spawner: cpu truth %.2f s, shipper %.2f s (%+.1f%%); processes truth %d, shipper %d "
                        + "(%d inferred)%n", truthCpu, cpu, 100 * (cpu - truthCpu) / truthCpu, truthProcesses,
                last.spawned(), last.spawnedInferred());
        assertEquals(truthCpu, cpu, truthCpu * 0.03 + 0.02, "CPU within ±3 %");
        if (ProcEvents.shared() != null) {
            assertEquals(truthProcesses, last.spawned(), "every process, from the kernel's fork events");
        } else {
            // Without fork events (not root): what polling saw plus what cutime growth implies, a lower bound.
            assertTrue(last.spawned() <= truthProcesses, "never more than ran: " + last.spawned());
            assertTrue(last.spawnedInferred() > 0, "subshells never seen are inferred from the root's cutime");
        }
    }

    @Test
    void timeByStateSwitchesPssAndHostSignals() throws Exception {
        Path dir = TestSupport.newDir();
        String script = String.join("\n",
                "sleep 1.5",
                "( i=0; while [ $i -lt 450000 ]; do i=$((i+1)); done )", // several intervals: state time is sampled
                "dd if=/dev/zero of='" + dir.resolve("f") + "' bs=64k count=2000 oflag=sync 2>/dev/null",
                "sleep " + (2.5 * INTERVAL_MS / 1000.0), "true");
        long before = AccuracyTest.ownChildTicks();
        List<UnitSeries> units = run(dir, script, "states");
        double truthCpu = (AccuracyTest.ownChildTicks() - before) / (double) new ProcReader().hz();
        UnitSeries lastUnit = units.get(units.size() - 1);
        Sample last = lastUnit.last();
        System.out.printf("states: running %d ms, sleeping %d ms, disk wait %d ms; cpu truth %.2f s; "
                        + "switches %d voluntary, %d involuntary; pss %s%n", last.runningMs(), last.sleepingMs(),
                last.diskWaitMs(), truthCpu, last.voluntarySwitches(), last.involuntarySwitches(),
                units.stream().flatMap(u -> u.samples().stream()).map(Sample::pssBytes)
                        .filter(java.util.Objects::nonNull).findFirst().orElse(null));
        // The root sleeps in `sleep` (S) for 1.5 s and waits on every child: at least 1.5 s of one process asleep.
        assertTrue(last.sleepingMs() >= 1500 - INTERVAL_MS, "sleeping " + last.sleepingMs());
        // A runnable process waiting for a core is in R too: running time is at least the CPU it got.
        assertTrue(last.runningMs() >= truthCpu * 1000 * 0.5, "running " + last.runningMs() + " vs cpu " + truthCpu);
        assertTrue(last.voluntarySwitches() > 0, "sleeping and waiting switch voluntarily");
        assertTrue(units.stream().flatMap(u -> u.samples().stream()).anyMatch(s -> s.pssBytes() != null
                && s.pssBytes() > 0), "PSS read for members");
        // dd's D states are brief: whether a sample lands on one is chance, so the live figure is printed only and
        // the accounting is checked on captured stat lines below.
    }

    @Test
    void stateTimeFromCapturedStatLines() {
        // /proc/PID/stat of a root asleep in wait(), and its child blocked in D (captured from dd oflag=sync).
        String root = "4242 (bash) S 4000 4242 4242 0 -1 4194304 500 0 0 0 10 5 0 0 20 0 1 0 1000 9000000 800 "
                + "18446744073709551615 0 0 0 0 0 0 65536 4 65536 0 0 0 17 1 0 0 0 0 0";
        String child = "4243 (dd) %s 4242 4242 4242 0 -1 4194304 100 0 0 0 %d 40 0 0 20 0 1 0 1010 9000000 300 "
                + "18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0";
        TreeTracker t = new TreeTracker("b/4242/1000", 4242, 1000, 10_000, "bash",
                new io.taskmeter.core.identity.Recognition("generic", "env", java.util.Map.of()), false, 100, 4096);
        long[] at = {11_000, 12_000, 13_000, 13_500};
        String[] states = {"R", "D", "D", "S"};
        for (int i = 0; i < at.length; i++) {
            ProcStat r = ProcReader.parseStat(4242, root);
            ProcStat c = ProcReader.parseStat(4243, String.format(child, states[i], 10 + i));
            t.update(at[i], java.util.Map.of(r.key(), new TreeTracker.Member(r, ProcIo.ZERO, 0),
                    c.key(), new TreeTracker.Member(c, ProcIo.ZERO, 0)));
        }
        Sample s = t.cut().samples().get(at.length - 1);
        // each interval is charged the state seen at its end: R 1,000 ms (from the unit's start), D 1,000 + 1,000,
        // S 500; the root slept throughout (1,000 + 1,000 + 1,000 + 500)
        assertEquals(1000, s.runningMs());
        assertEquals(2000, s.diskWaitMs());
        assertEquals(3500 + 500, s.sleepingMs());
    }

    @Test
    void everyBatchCarriesHostSignalsAtTheUnitsSamplingInstants() throws Exception {
        Path dir = TestSupport.newDir();
        run(dir, "sleep 1; true", "host");
        List<Batch> batches = TestSupport.batches(dir.resolve("sink"));
        for (Batch b : batches) {
            assertEquals("1.1", b.version());
            assertNotNull(b.hostSignals(), "host signals in batch " + b.seq());
            assertEquals("host", b.hostSignals().network());
            for (UnitSeries u : b.units()) {
                for (Sample s : u.samples()) {
                    assertTrue(b.hostSignals().samples().stream().anyMatch(h -> h.t() == s.t()),
                            "a host sample at " + s.t());
                }
            }
        }
        HostSample h = batches.get(batches.size() - 1).hostSignals().samples().get(0);
        assertTrue(h.cpuBusyMs() > 0 && h.memAvailableBytes() > 0, "live figures: " + h);
        assertTrue(batches.stream().skip(1).allMatch(b -> b.hostSignals().base() != null),
                "every batch after the first starts from the previous one's last host sample");
    }

    /** Runs the script as a recognised task under a shipper and returns its unit's series, batch by batch. */
    static List<UnitSeries> run(Path dir, String script, String task) throws Exception {
        try (Shipper shipper = Shipper.start(TestSupport.config(dir, INTERVAL_MS, 2000).build())) {
            Process p = TestSupport.start(script, "TASKMETER_TASK", task);
            assertEquals(0, p.waitFor(), "workload exit status");
            Thread.sleep(2 * INTERVAL_MS);
        }
        List<UnitSeries> units = TestSupport.units(TestSupport.batches(dir.resolve("sink")),
                u -> task.equals(u.tags().get("task")));
        assertFalse(units.isEmpty(), "the task was recognised");
        assertEquals(1, units.stream().map(UnitSeries::unitId).distinct().count(), "one unit");
        return units;
    }
}

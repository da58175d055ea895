package io.taskmeter.shipper;

import io.taskmeter.core.batch.Batch;
import io.taskmeter.core.batch.UnitSeries;
import io.taskmeter.core.usage.UnitUsage;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shipper's figures for a real process tree against the kernel's own: CPU from this JVM's cutime+cstime (the
 * tree's CPU folds into it once the root is reaped), peak memory from the memory process's own VmHWM, bytes
 * written from what the workload wrote.
 */
class AccuracyTest {
    static final long INTERVAL_MS = 300;
    static final long MIB = 1 << 20;

    @Test
    void cpuMemoryAndBytesOfATreeWithShortLivedChildrenMatchTheKernel() throws Exception {
        Path dir = TestSupport.newDir();
        Path hwmFile = dir.resolve("hwm");
        String testClasses = Path.of(MemoryHog.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .toString();
        // The recognised root is this bash: it runs the workload as its children, waits for them (so their usage
        // folds into its cutime/cstime and /proc/PID/io), then sleeps about two intervals so its final counters
        // are sampled while it is alive.
        String script = String.join("\n",
                "for n in $(seq 30); do ( i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done ); done",
                "( i=0; while [ $i -lt 150000 ]; do i=$((i+1)); done ) &",
                "dd if=/dev/zero of='" + dir.resolve("f") + "' bs=1M count=40 conv=fsync 2>/dev/null",
                "wait",
                "'" + TestSupport.javaBin() + "' -XX:-UsePerfData -XX:+UseSerialGC -Xms8m -Xmx400m -cp '"
                        + testClasses + "' " + MemoryHog.class.getName() + " 200 3000 '" + hwmFile + "'",
                "sleep " + (2.5 * INTERVAL_MS / 1000.0));
        long childTicksBefore = ownChildTicks();
        try (Shipper shipper = Shipper.start(TestSupport.config(dir, INTERVAL_MS, 2000).build())) {
            Process p = TestSupport.start(script, "TASKMETER_TASK", "accuracy", "TASKMETER_RUN", "r1");
            assertEquals(0, p.waitFor(), "workload exit status");
            Thread.sleep(2 * INTERVAL_MS); // the root is seen gone
        }
        long ticks = ownChildTicks() - childTicksBefore;
        double truthCpu = ticks / (double) new ProcReader().hz();
        long truthHwm = Long.parseLong(Files.readString(hwmFile).strip());

        List<Batch> batches = TestSupport.batches(dir.resolve("sink"));
        List<UnitSeries> units = TestSupport.units(batches, u -> "accuracy".equals(u.tags().get("task")));
        assertFalse(units.isEmpty(), "the task was recognised from TASKMETER_TASK");
        assertEquals(1, units.stream().map(UnitSeries::unitId).distinct().count(), "one unit for the whole tree");
        assertFalse(units.get(0).partial(), "started after the shipper: counted from zero");
        assertNotNull(units.get(units.size() - 1).endedMs(), "the unit's end is reported");
        double cpu = 0;
        long written = 0;
        long wchar = 0;
        long peak = 0;
        long spawned = 0;
        for (UnitSeries u : units) {
            UnitUsage usage = UnitUsage.of(u);
            cpu += usage.cpuSeconds();
            written += usage.writeBytes();
            wchar += usage.wchar();
            spawned += usage.spawned();
            peak = Math.max(peak, usage.peakRssBytes());
        }
        System.out.printf("accuracy: cpu truth %.2f s, shipper %.2f s (%+.1f%%); peak memory truth %d MiB, "
                        + "shipper %d MiB (%+.1f%%); write_bytes %d MiB (%+.1f%% of 40), wchar %d MiB; "
                        + "processes seen %d; %d batches%n",
                truthCpu, cpu, 100 * (cpu - truthCpu) / truthCpu, truthHwm / MIB, peak / MIB,
                100.0 * (peak - truthHwm) / truthHwm, written / MIB, 100.0 * (written - 40 * MIB) / (40 * MIB),
                wchar / MIB, spawned, batches.size());
        assertTrue(truthCpu > 2, "the workload burnt CPU: " + truthCpu);
        assertEquals(truthCpu, cpu, truthCpu * 0.10, "CPU of the whole tree, short-lived children included");
        assertTrue(truthHwm > 200 * MIB, "the memory process held 200 MiB: " + truthHwm);
        assertEquals(truthHwm, peak, truthHwm * 0.10, "peak memory");
        assertTrue(wchar >= 40 * MIB, "wchar " + wchar);
        if (blockLayerAccounted(dir)) {
            assertEquals(40 * MIB, written, 40 * MIB * 0.05, "block-layer bytes written");
        } else {
            System.out.println("accuracy: write_bytes not asserted: " + dir + " is not on a block device that "
                    + "accounts write_bytes (a 1 MiB fsynced write by this JVM did not show in /proc/self/io)");
        }
    }

    @Test
    void anOrphanedChildStaysInItsUnitAndItsCpuIsCarriedWhenItExits() throws Exception {
        Path dir = TestSupport.newDir();
        Path orphanTicks = dir.resolve("orphan");
        // The middle subshell exits 0.6 s after starting the busy child, which is re-parented outside the tree
        // (to init or a subreaper) and never reaped by the tree: its CPU is only in its own counters. It writes
        // its own utime+stime just before it rests, so its final counters are sampled while it lives.
        String script = String.join("\n",
                "( ( i=0; while [ $i -lt 60000 ]; do i=$((i+1)); done; me=$BASHPID; "
                        + "t=$(cut -d' ' -f14,15 /proc/$me/stat); echo \"$me $t\" > '" + orphanTicks + ".tmp'; "
                        + "mv '" + orphanTicks + ".tmp' '" + orphanTicks + "'; sleep 0.6 ) & sleep 0.6 )",
                "while [ ! -s '" + orphanTicks + "' ]; do sleep 0.1; done",
                "read pid rest < '" + orphanTicks + "'",
                "while kill -0 $pid 2>/dev/null; do sleep 0.1; done",
                // After the orphan is gone the tree burns more CPU: without carrying the orphan's totals the
                // clamped counter would not grow by this part.
                "sleep 0.6",
                "( i=0; while [ $i -lt 60000 ]; do i=$((i+1)); done )",
                "sleep 0.6");
        long before = ownChildTicks();
        try (Shipper shipper = Shipper.start(TestSupport.config(dir, 200, 2000).build())) {
            Process p = TestSupport.start(script, "TASKMETER_TASK", "orphan");
            assertEquals(0, p.waitFor(), "workload exit status");
            Thread.sleep(400);
        }
        long hz = new ProcReader().hz();
        double reaped = (ownChildTicks() - before) / (double) hz;
        String[] t = Files.readString(orphanTicks).strip().split(" ");
        double orphan = (Long.parseLong(t[1]) + Long.parseLong(t[2])) / (double) hz;
        List<UnitSeries> units = TestSupport.units(TestSupport.batches(dir.resolve("sink")),
                u -> "orphan".equals(u.tags().get("task")));
        assertEquals(1, units.stream().map(UnitSeries::unitId).distinct().count(),
                "the orphan stayed in its unit: " + units.stream().map(UnitSeries::unitId).distinct().toList());
        double cpu = units.stream().mapToDouble(u -> UnitUsage.of(u).cpuSeconds()).sum();
        System.out.printf("orphan: reaped by the tree %.2f s + orphan %.2f s = %.2f s; shipper %.2f s%n",
                reaped, orphan, reaped + orphan, cpu);
        assertTrue(orphan > 0.1 && reaped > 0.1, "the orphan and the tree burnt CPU: " + orphan + ", " + reaped);
        assertEquals(reaped + orphan, cpu, (reaped + orphan) * 0.10 + 0.05, "tree CPU with the orphan carried");
    }

    /** This JVM's cutime+cstime: every reaped child's CPU, as the kernel counts it. */
    static long ownChildTicks() throws IOException {
        String s = Files.readString(Path.of("/proc/self/stat"));
        String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[13]) + Long.parseLong(f[14]);
    }

    /** Whether writes into {@code dir} show in write_bytes (not tmpfs or a FUSE or network file system). */
    static boolean blockLayerAccounted(Path dir) throws IOException {
        long before = ownWriteBytes();
        Path probe = dir.resolve("probe");
        try (FileChannel ch = FileChannel.open(probe, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.allocate((int) MIB));
            ch.force(true);
        }
        Files.delete(probe);
        return ownWriteBytes() - before >= MIB;
    }

    static long ownWriteBytes() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/io"))) {
            if (line.startsWith("write_bytes:")) {
                return Long.parseLong(line.substring(12).strip());
            }
        }
        return 0;
    }
}

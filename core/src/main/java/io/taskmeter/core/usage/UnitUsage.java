package io.taskmeter.core.usage;

import io.taskmeter.core.batch.HostSeries;
import io.taskmeter.core.batch.Sample;
import io.taskmeter.core.batch.UnitSeries;

import java.util.List;

/**
 * What one unit used during one batch: the differences of its cumulative counters, plus the CPU of every
 * interval so that percentiles can be taken later. Computed from the batch alone.
 *
 * @param startMs       the batch's base sample time (or the unit start), epoch ms
 * @param endMs         the last sample time, epoch ms
 * @param intervals     each sampling interval of the batch, in time order: what percentiles, cost, stall and
 *                      contention detection need
 * @param runningMs     process-ms in state R during the batch (1.1; 0 from 1.0 batches), likewise
 *                      {@code sleepingMs} (S/I) and {@code diskWaitMs} (D)
 * @param peakPssBytes  largest PSS of the tree in the batch, null when never read
 */
public record UnitUsage(long startMs, long endMs, double cpuSeconds, long peakRssBytes, long readBytes,
                        long writeBytes, long rchar, long wchar, int maxProcesses, long spawned,
                        Intervals intervals, int samplesInDiskWait, long runningMs, long sleepingMs,
                        long diskWaitMs, long voluntarySwitches, long involuntarySwitches, Long peakPssBytes) {

    public static UnitUsage of(UnitSeries unit) {
        return of(unit, null, 1);
    }

    /** @param host the batch's host signals (null for a 1.0 batch), matched to the unit's intervals by time */
    public static UnitUsage of(UnitSeries unit, HostSeries host, int hostCpus) {
        Sample base = unit.base();
        List<Sample> samples = unit.samples();
        Sample last = unit.last();
        int n = samples.size();
        double[] cores = new double[n];
        double[] seconds = new double[n];
        long[] rss = new long[n];
        long[] starts = new long[n];
        long[] ends = new long[n];
        long[] io = new long[n];
        long[] disk = new long[n];
        int[] waiting = new int[n];
        double[] waitSeconds = new double[n];
        long peak = 0;
        Long peakPss = null;
        int maxProcs = 0;
        int diskWait = 0;
        Sample prev = base;
        for (int i = 0; i < n; i++) {
            Sample s = samples.get(i);
            long dt = s.t() - prev.t();
            cores[i] = dt <= 0 ? 0 : (s.cpuMillis() - prev.cpuMillis()) / (double) dt;
            seconds[i] = Math.max(0, dt) / 1000.0;
            rss[i] = s.rssBytes();
            starts[i] = prev.t();
            ends[i] = s.t();
            disk[i] = s.readBytes() - prev.readBytes() + s.writeBytes() - prev.writeBytes();
            io[i] = disk[i] + s.rchar() - prev.rchar() + s.wchar() - prev.wchar();
            waiting[i] = s.diskWait();
            waitSeconds[i] = Math.max(0, s.diskWaitMs() - prev.diskWaitMs()) / 1000.0;
            peak = Math.max(peak, Math.max(s.rssBytes(), s.hwmBytes()));
            if (s.pssBytes() != null) {
                peakPss = peakPss == null ? s.pssBytes() : Math.max(peakPss, s.pssBytes());
            }
            maxProcs = Math.max(maxProcs, s.processes());
            if (s.diskWait() > 0) {
                diskWait++;
            }
            prev = s;
        }
        HostContention h = HostContention.of(host, hostCpus, starts, ends);
        return new UnitUsage(base.t(), last.t(), (last.cpuMillis() - base.cpuMillis()) / 1000.0, peak,
                last.readBytes() - base.readBytes(), last.writeBytes() - base.writeBytes(),
                last.rchar() - base.rchar(), last.wchar() - base.wchar(), maxProcs,
                last.spawned() - base.spawned(), new Intervals(seconds, cores, rss, ends, io, disk, waiting,
                waitSeconds, h.cpuPressure, h.ioPressure, h.steal, h.runQueue), diskWait,
                last.runningMs() - base.runningMs(), last.sleepingMs() - base.sleepingMs(),
                last.diskWaitMs() - base.diskWaitMs(), last.voluntarySwitches() - base.voluntarySwitches(),
                last.involuntarySwitches() - base.involuntarySwitches(), peakPss);
    }

    public double seconds() {
        return Math.max(0, endMs - startMs) / 1000.0;
    }
}

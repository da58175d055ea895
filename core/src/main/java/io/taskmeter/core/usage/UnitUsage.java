package io.taskmeter.core.usage;

import io.taskmeter.core.batch.Sample;
import io.taskmeter.core.batch.UnitSeries;

import java.util.List;

/**
 * What one unit used during one batch: the differences of its cumulative counters, plus the CPU of every
 * interval so that percentiles can be taken later. Computed from the batch alone.
 *
 * @param startMs       the batch's base sample time (or the unit start), epoch ms
 * @param endMs         the last sample time, epoch ms
 * @param intervals     each sampling interval of the batch, in time order: what percentiles, cost and stall
 *                      detection need
 */
public record UnitUsage(long startMs, long endMs, double cpuSeconds, long peakRssBytes, long readBytes,
                        long writeBytes, long rchar, long wchar, int maxProcesses, long spawned,
                        Intervals intervals, int samplesInDiskWait) {

    public static UnitUsage of(UnitSeries unit) {
        Sample base = unit.base();
        List<Sample> samples = unit.samples();
        Sample last = unit.last();
        double[] cores = new double[samples.size()];
        double[] seconds = new double[samples.size()];
        long[] rss = new long[samples.size()];
        long[] ends = new long[samples.size()];
        long[] io = new long[samples.size()];
        long[] disk = new long[samples.size()];
        int[] waiting = new int[samples.size()];
        long peak = 0;
        int maxProcs = 0;
        int diskWait = 0;
        Sample prev = base;
        for (int i = 0; i < samples.size(); i++) {
            Sample s = samples.get(i);
            long dt = s.t() - prev.t();
            cores[i] = dt <= 0 ? 0 : (s.cpuMillis() - prev.cpuMillis()) / (double) dt;
            seconds[i] = Math.max(0, dt) / 1000.0;
            rss[i] = s.rssBytes();
            ends[i] = s.t();
            disk[i] = s.readBytes() - prev.readBytes() + s.writeBytes() - prev.writeBytes();
            io[i] = disk[i] + s.rchar() - prev.rchar() + s.wchar() - prev.wchar();
            waiting[i] = s.diskWait();
            peak = Math.max(peak, Math.max(s.rssBytes(), s.hwmBytes()));
            maxProcs = Math.max(maxProcs, s.processes());
            if (s.diskWait() > 0) {
                diskWait++;
            }
            prev = s;
        }
        return new UnitUsage(base.t(), last.t(), (last.cpuMillis() - base.cpuMillis()) / 1000.0, peak,
                last.readBytes() - base.readBytes(), last.writeBytes() - base.writeBytes(),
                last.rchar() - base.rchar(), last.wchar() - base.wchar(), maxProcs,
                last.spawned() - base.spawned(), new Intervals(seconds, cores, rss, ends, io, disk, waiting), diskWait);
    }

    public double seconds() {
        return Math.max(0, endMs - startMs) / 1000.0;
    }
}

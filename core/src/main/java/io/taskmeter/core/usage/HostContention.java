package io.taskmeter.core.usage;

import io.taskmeter.core.batch.HostSample;
import io.taskmeter.core.batch.HostSeries;
import io.taskmeter.core.batch.Pressure;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * The host's contention during each of a unit's intervals, from the batch's host samples taken at the same
 * instants: PSI shares from the cumulative stall totals, steal from the CPU times, run queue from procs_running.
 * An interval whose two ends have no host sample (a 1.0 batch, a failed read) is {@link Intervals#UNKNOWN}.
 */
final class HostContention {
    final double[] cpuPressure;
    final double[] ioPressure;
    final double[] steal;
    final double[] runQueue;

    private HostContention(int n) {
        cpuPressure = filled(n);
        ioPressure = filled(n);
        steal = filled(n);
        runQueue = filled(n);
    }

    /** @param starts and {@code ends}: each interval's bounds, epoch ms (the unit's consecutive sample times) */
    static HostContention of(HostSeries host, int cpus, long[] starts, long[] ends) {
        HostContention out = new HostContention(ends.length);
        if (host == null || host.samples() == null) {
            return out;
        }
        Map<Long, HostSample> at = new HashMap<>();
        if (host.base() != null) {
            at.put(host.base().t(), host.base());
        }
        host.samples().forEach(h -> at.put(h.t(), h));
        for (int i = 0; i < ends.length; i++) {
            HostSample a = at.get(starts[i]);
            HostSample b = at.get(ends[i]);
            if (b != null) {
                // The shipper's own thread is running while it reads /proc/stat.
                out.runQueue[i] = Math.max(0, b.runnable() - 1) / (double) Math.max(1, cpus);
            }
            if (a == null || b == null || b.t() <= a.t()) {
                continue;
            }
            double us = (b.t() - a.t()) * 1000.0;
            out.cpuPressure[i] = share(a.psi(), b.psi(), Pressure::cpuSomeUs, us);
            out.ioPressure[i] = share(a.psi(), b.psi(), Pressure::ioSomeUs, us);
            long total = (b.cpuBusyMs() + b.cpuIdleMs() + b.cpuIowaitMs() + b.cpuStealMs())
                    - (a.cpuBusyMs() + a.cpuIdleMs() + a.cpuIowaitMs() + a.cpuStealMs());
            if (total > 0) {
                out.steal[i] = clamp((b.cpuStealMs() - a.cpuStealMs()) / (double) total);
            }
        }
        return out;
    }

    private static double share(Pressure a, Pressure b, Function<Pressure, Long> field, double us) {
        if (a == null || b == null || field.apply(a) == null || field.apply(b) == null) {
            return Intervals.UNKNOWN;
        }
        return clamp((field.apply(b) - field.apply(a)) / us);
    }

    private static double clamp(double v) {
        return Math.round(Math.max(0, Math.min(1, v)) * 1000) / 1000.0;
    }

    private static double[] filled(int n) {
        double[] a = new double[n];
        java.util.Arrays.fill(a, Intervals.UNKNOWN);
        return a;
    }
}

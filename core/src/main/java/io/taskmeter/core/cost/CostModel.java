package io.taskmeter.core.cost;

import java.util.List;

/** Prices an attempt's intervals on the allocated and the used basis. */
public final class CostModel {
    private static final double GIB = 1L << 30;

    private CostModel() {
    }

    /** One sampling interval of an attempt: how long, how many cores, how much resident memory at its end. */
    public record Interval(double seconds, double cores, long rssBytes) {
    }

    public static AttemptCost cost(List<Interval> intervals, double requestedCpus, long requestedMemoryBytes,
                                   UnitPrices p) {
        double cpuAlloc = 0;
        double memAlloc = 0;
        double used = 0;
        double reqGib = requestedMemoryBytes / GIB;
        for (Interval i : intervals) {
            double hours = i.seconds() / 3600.0;
            double gib = i.rssBytes() / GIB;
            cpuAlloc += hours * Math.max(requestedCpus, i.cores()) * p.usdPerVcpuHour();
            memAlloc += hours * Math.max(reqGib, gib) * p.usdPerGiBHour();
            used += hours * (i.cores() * p.usdPerVcpuHour() + gib * p.usdPerGiBHour());
        }
        double allocated = cpuAlloc + memAlloc;
        return new AttemptCost(round(allocated), round(used), round(allocated - used), round(cpuAlloc),
                round(memAlloc), p.instanceType(), p.source());
    }

    /** Host cost not covered by any attempt's allocation: what idle capacity costs. Never negative. */
    public static double hostIdleUsd(double hostSeconds, UnitPrices p, double sumOfAttemptAllocatedUsd) {
        return Math.max(0, hostSeconds / 3600.0 * p.usdPerHour() - sumOfAttemptAllocatedUsd);
    }

    private static double round(double usd) {
        return Math.round(usd * 1e8) / 1e8;
    }
}

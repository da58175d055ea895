package io.taskmeter.core.rightsizing;

import io.taskmeter.core.cost.UnitPrices;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/** Per-task CPU and memory recommendation from its attempts in the window (docs/algorithms.md). */
public final class Rightsizer {
    private static final double GIB = 1L << 30;
    private static final double MIB = 1L << 20;

    private Rightsizer() {
    }

    public static Recommendation recommend(String taskId, List<AttemptStats> attempts, UnitPrices prices,
                                           RightsizingSettings s, long nowMs) {
        long windowStart = nowMs - s.windowDays() * 86_400_000L;
        List<AttemptStats> inWindow = attempts.stream().filter(a -> a.startMs() >= windowStart).toList();
        if (inWindow.isEmpty()) {
            inWindow = attempts;
        }
        List<AttemptStats> basis = inWindow.stream().filter(a -> a.succeeded() && !a.oomKilled()).toList();
        boolean fallback = basis.isEmpty();
        if (fallback) {
            basis = inWindow;
        }
        double[] p95s = basis.stream().mapToDouble(AttemptStats::p95Cores).toArray();
        double cpuPercentile = Quantiles.of(p95s, s.cpuPercentile());
        double cpu = Math.max(s.cpuFloor(), cpuPercentile * s.cpuMargin());
        long peak = basis.stream().mapToLong(AttemptStats::peakMemoryBytes).max().orElse(0);
        long memory = (long) (peak * s.memoryMargin());
        List<AttemptStats> ooms = inWindow.stream().filter(AttemptStats::oomKilled).toList();
        long oomFloor = ooms.stream().mapToLong(a -> (long) (a.allocatedMemoryBytes() * s.oomBump())).max().orElse(0);
        memory = Math.max(Math.max(memory, oomFloor), s.memoryFloorBytes());

        AttemptStats latest = inWindow.stream().max(Comparator.comparingLong(AttemptStats::startMs)).orElseThrow();
        double curCpu = latest.allocatedCpus();
        long curMem = latest.allocatedMemoryBytes();
        int n = basis.size();
        String confidence = n >= 5 ? "high" : n >= 2 ? "medium" : "low";
        String finding;
        if (cpu > curCpu || memory > curMem) {
            finding = "under-provisioned";
        } else if (curCpu > s.overProvisionedRatio() * cpu || curMem > s.overProvisionedRatio() * memory) {
            finding = "over-provisioned";
        } else {
            finding = "right-sized";
        }
        double hoursPerMonth = inWindow.stream().mapToDouble(AttemptStats::durationSeconds).sum()
                * 30.0 / s.windowDays() / 3600.0;
        double delta = ((curCpu - cpu) * prices.usdPerVcpuHour() + (curMem - memory) / GIB * prices.usdPerGiBHour())
                * hoursPerMonth;

        List<String> why = new ArrayList<>();
        why.add(String.format(Locale.ROOT, "CPU: p%.0f of per-attempt p95 (%.2f cores) × %.2f = %.2f cores%s",
                s.cpuPercentile() * 100, cpuPercentile, s.cpuMargin(), cpu,
                cpu == s.cpuFloor() ? " (floor)" : ""));
        why.add(String.format(Locale.ROOT, "memory: max peak %.0f MiB × %.2f = %.0f MiB%s", peak / MIB,
                s.memoryMargin(), memory / MIB, oomFloor > 0 && memory == oomFloor
                        ? " (raised to " + s.oomBump() + " × the allocation of an OOM-killed attempt)" : ""));
        why.add(n + (fallback ? " attempts, none known to have succeeded," : " successful attempts")
                + " in " + s.windowDays() + " days (" + confidence + " confidence)"
                + (ooms.isEmpty() ? "" : ", " + ooms.size() + " OOM-killed"));
        why.add(String.format(Locale.ROOT, "allocation %.2f cores / %.0f MiB from %s", curCpu, curMem / MIB,
                latest.allocationSource()));
        why.add(switch (finding) {
            case "over-provisioned" -> String.format(Locale.ROOT,
                    "over-provisioned: lower to %.2f cores / %.0f MiB to save $%.2f/month", cpu, memory / MIB, delta);
            case "under-provisioned" -> String.format(Locale.ROOT,
                    "under-provisioned: raise to %.2f cores / %.0f MiB (%s$%.2f/month)", cpu, memory / MIB,
                    delta < 0 ? "+" : "-", Math.abs(delta));
            default -> "right-sized: keep the allocation";
        });
        return new Recommendation(taskId, round(cpu, 3), memory, curCpu, curMem, latest.allocationSource(), finding,
                confidence, n, ooms.size(), round(delta, 2), String.join("; ", why));
    }

    private static double round(double v, int digits) {
        double f = Math.pow(10, digits);
        return Math.round(v * f) / f;
    }
}

package io.taskmeter.core.rightsizing;

import io.taskmeter.core.cost.UnitPrices;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

import static io.taskmeter.core.rightsizing.Units.bytes;
import static io.taskmeter.core.rightsizing.Units.cores;
import static io.taskmeter.core.rightsizing.Units.number;

/** Per-task CPU and memory recommendation from its attempts in the window (docs/algorithms.md §Rightsizing). */
public final class Rightsizer {
    public static final String OVER = "over-provisioned";
    public static final String UNDER = "under-provisioned";
    public static final String RIGHT = "right-sized";
    private static final double GIB = 1L << 30;
    private static final long MIB = 1L << 20;
    private static final long DAY_MS = 86_400_000L;

    private Rightsizer() {
    }

    /**
     * @param attempts the task's attempts, any age; at least one
     * @param nowMs    end of the window: attempts that started before nowMs − windowDays are left out
     */
    public static Recommendation recommend(String taskId, List<AttemptStats> attempts, UnitPrices prices,
                                           RightsizingSettings s, long nowMs) {
        if (attempts.isEmpty()) {
            throw new IllegalArgumentException("no attempts of " + taskId + " to recommend from");
        }
        long windowStart = nowMs - s.windowDays() * DAY_MS;
        List<AttemptStats> inWindow = attempts.stream().filter(a -> a.startMs() >= windowStart).toList();
        // A task that has not run within the window still gets an answer (reports list every task), from its
        // older attempts, at low confidence and with no monthly difference: it is not costing anything now.
        boolean stale = inWindow.isEmpty();
        if (stale) {
            inWindow = attempts;
        }
        // An OOM-killed attempt did not succeed, whatever its exit status says.
        List<AttemptStats> basis = inWindow.stream().filter(a -> a.succeeded() && !a.oomKilled()).toList();
        boolean noSuccess = basis.isEmpty();
        if (noSuccess) {
            basis = inWindow;
        }

        double[] p95s = basis.stream().mapToDouble(AttemptStats::p95Cores).filter(Double::isFinite).toArray();
        double cpuQuantile = p95s.length == 0 ? 0 : Quantiles.of(p95s, s.cpuPercentile());
        double cpuFromUse = cpuQuantile * s.cpuMargin();
        double cpu = round(Math.max(s.cpuFloor(), cpuFromUse), 3);

        long peak = basis.stream().mapToLong(AttemptStats::peakMemoryBytes).max().orElse(0);
        long memFromUse = ceilMiB(peak * s.memoryMargin());
        List<AttemptStats> ooms = inWindow.stream().filter(AttemptStats::oomKilled).toList();
        long oomAllocation = ooms.stream().mapToLong(AttemptStats::allocatedMemoryBytes).max().orElse(0);
        long oomFloor = ceilMiB(oomAllocation * s.oomBump());
        long memory = Math.max(Math.max(memFromUse, oomFloor), s.memoryFloorBytes());

        AttemptStats latest = inWindow.stream().max(Comparator.comparingLong(AttemptStats::startMs)).orElseThrow();
        double curCpu = latest.allocatedCpus();
        long curMem = latest.allocatedMemoryBytes();
        int n = basis.size();
        String confidence = stale ? "low" : n >= 5 ? "high" : n >= 2 ? "medium" : "low";

        String finding;
        if (cpu > curCpu || memory > curMem) {
            finding = UNDER;
        } else if (curCpu > s.overProvisionedRatio() * cpu || curMem > s.overProvisionedRatio() * memory) {
            finding = OVER;
        } else {
            finding = RIGHT;
        }
        double hoursPerMonth = stale ? 0 : inWindow.stream().mapToDouble(AttemptStats::durationSeconds).sum()
                * 30.0 / s.windowDays() / 3600.0;
        double delta = round(((curCpu - cpu) * prices.usdPerVcpuHour()
                + (curMem - memory) / GIB * prices.usdPerGiBHour()) * hoursPerMonth, 2);

        List<String> why = new ArrayList<>();
        String cpuWhy = String.format(Locale.ROOT, "CPU: p%s of per-attempt p95 (%s) × %s = %s",
                number(s.cpuPercentile() * 100, 2), cores(cpuQuantile, 2), number(s.cpuMargin(), 2),
                cores(cpuFromUse, 3));
        if (cpu > round(cpuFromUse, 3)) {
            cpuWhy += ", raised to the " + cores(s.cpuFloor(), 3) + " floor";
        }
        why.add(cpuWhy);
        String memWhy = "memory: max peak " + bytes(peak) + " × " + number(s.memoryMargin(), 2) + " = "
                + bytes(memFromUse);
        if (oomFloor > memFromUse) {
            memWhy += ", raised to " + number(s.oomBump(), 2) + " × the " + bytes(oomAllocation)
                    + " allocation of an OOM-killed attempt = " + bytes(oomFloor);
        }
        if (s.memoryFloorBytes() > Math.max(memFromUse, oomFloor)) {
            memWhy += ", raised to the " + bytes(s.memoryFloorBytes()) + " floor";
        }
        why.add(memWhy);
        String counted;
        if (stale) {
            counted = "no attempt in the last " + s.windowDays() + " days, so " + n + " older attempt"
                    + plural(n) + (noSuccess ? ", none known to have succeeded," : "") + " counted";
        } else if (noSuccess) {
            counted = n + " attempt" + plural(n) + " in " + s.windowDays()
                    + " days, none known to have succeeded, so all counted";
        } else {
            counted = n + " successful attempt" + plural(n) + " in " + s.windowDays() + " days";
        }
        counted += " (" + confidence + " confidence)";
        if (!ooms.isEmpty()) {
            counted += ", " + ooms.size() + " OOM-killed";
        }
        why.add(counted);
        why.add("allocation " + cores(curCpu, 3) + " / " + bytes(curMem) + " from "
                + (latest.allocationSource() == null ? "an unknown source" : latest.allocationSource()));
        String to = cores(cpu, 3) + " / " + bytes(memory);
        String money = stale ? "no monthly difference while it does not run"
                : delta >= 0 ? String.format(Locale.ROOT, "save $%.2f/month", delta)
                : String.format(Locale.ROOT, "costs $%.2f/month more", -delta);
        why.add(switch (finding) {
            case OVER -> "over-provisioned: lower to " + to + (stale ? " (" + money + ")" : " to " + money);
            case UNDER -> "under-provisioned: raise to " + to + " ("
                    + (stale || delta < 0 ? money : "also " + money) + ")";
            default -> "right-sized: keep the allocation (within " + number(s.overProvisionedRatio(), 2)
                    + " × the recommended " + to + ")";
        });
        return new Recommendation(taskId, cpu, memory, curCpu, curMem, latest.allocationSource(), finding,
                confidence, n, ooms.size(), delta, String.join("; ", why));
    }

    /** Memory recommendations are whole MiB, rounded up: what a user would type into a limit. */
    private static long ceilMiB(double bytes) {
        return (long) Math.ceil(bytes / MIB - 1e-9) * MIB;
    }

    private static String plural(int n) {
        return n == 1 ? "" : "s";
    }

    private static double round(double v, int digits) {
        double f = Math.pow(10, digits);
        return Math.round(v * f) / f;
    }
}

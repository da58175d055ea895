package io.taskmeter.core.report;

import io.taskmeter.core.stall.StallDetector;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Classifies an attempt from its intervals: how much of its time it computed, waited on disk, did nothing, and
 * how close it came to its memory. Thresholds are deliberately simple so the evidence explains the verdict.
 */
public final class Diagnoser {
    /** Half a core or more: on a shared host a CPU-bound process rarely gets a whole one. */
    static final double BUSY_CORES = 0.5;
    static final double IDLE_CORES = 0.02;
    static final double MB = 1e6;

    private Diagnoser() {
    }

    public static Diagnosis diagnose(List<StallDetector.Point> points, long peakRssBytes, long allocatedMemoryBytes,
                                     long processesSeen) {
        double total = 0;
        double busy = 0;
        double idle = 0;
        double diskWait = 0;
        long io = 0;
        long disk = 0;
        for (StallDetector.Point p : points) {
            total += p.seconds();
            if (p.cores() >= BUSY_CORES) {
                busy += p.seconds();
            }
            if (p.cores() < IDLE_CORES && p.ioBytes() == 0) {
                idle += p.seconds();
            }
            if (p.diskWait() > 0) {
                diskWait += p.seconds();
            }
            io += p.ioBytes();
            disk += p.diskBytes();
        }
        Map<String, Double> signals = new LinkedHashMap<>();
        if (total <= 0) {
            return new Diagnosis("unknown", List.of("no complete sampling interval yet"), List.of(), signals);
        }
        double busyFrac = busy / total;
        double idleFrac = idle / total;
        double waitFrac = diskWait / total;
        double diskRate = disk / total;
        double memFrac = allocatedMemoryBytes > 0 ? peakRssBytes / (double) allocatedMemoryBytes : 0;
        double spawnPerMin = processesSeen / (total / 60.0);
        signals.put("busy_fraction", r(busyFrac));
        signals.put("idle_fraction", r(idleFrac));
        signals.put("disk_wait_fraction", r(waitFrac));
        signals.put("disk_mb_per_s", r(diskRate / MB));
        signals.put("io_mb_per_s", r(io / total / MB));
        signals.put("memory_of_allocation", r(memFrac));
        signals.put("processes_per_minute", r(spawnPerMin));

        List<String> evidence = new ArrayList<>();
        List<String> suggestions = new ArrayList<>();
        String primary;
        if (memFrac >= 0.9) {
            primary = "memory-bound";
            evidence.add(pct(memFrac) + " of its memory allocation at peak");
            suggestions.add("raise its memory, or move it to a memory-optimised instance (r family)");
        } else if (waitFrac >= 0.2 || diskRate >= 20 * MB && busyFrac < 0.5) {
            primary = "io-bound";
            evidence.add(String.format(Locale.ROOT, "a process in disk wait (D state) %s of the time; %.1f MB/s "
                    + "to and from disk", pct(waitFrac), diskRate / MB));
            suggestions.add("faster storage (gp3 with more IOPS/throughput, local NVMe) or an instance with more "
                    + "I/O bandwidth; more CPU will not help");
        } else if (busyFrac >= 0.5) {
            primary = "cpu-bound";
            evidence.add(String.format(Locale.ROOT, "≥ %.1f core busy %s of the time", BUSY_CORES, pct(busyFrac)));
            suggestions.add("CPU is its limit: a compute-optimised instance (c family) or more cores (if it "
                    + "parallelises) shortens it");
        } else if (idleFrac >= 0.5) {
            primary = "idle";
            evidence.add("no CPU and no I/O " + pct(idleFrac) + " of the time: waiting on something outside "
                    + "its process tree (a database, an API, another task)");
            suggestions.add("it holds its slot while waiting: use a deferrable operator or sensor in reschedule "
                    + "mode (Airflow), or pause/resume (Prefect), and give it the smallest allocation");
        } else {
            primary = "mixed";
            evidence.add(String.format(Locale.ROOT, "busy %s, idle %s, in disk wait %s of the time",
                    pct(busyFrac), pct(idleFrac), pct(waitFrac)));
        }
        if (busyFrac >= 0.2 && idleFrac >= 0.3) {
            suggestions.add("it has a compute-heavy phase and a long waiting phase: split it into two tasks so the "
                    + "waiting part needs no cores");
        }
        if (spawnPerMin >= 60) {
            evidence.add(String.format(Locale.ROOT, "%.0f subprocesses per minute seen", spawnPerMin));
            suggestions.add("it starts many short-lived subprocesses: batching them (one process, many items) "
                    + "saves their start-up cost");
        }
        return new Diagnosis(primary, evidence, suggestions, signals);
    }

    private static String pct(double f) {
        return Math.round(f * 100) + " %";
    }

    private static double r(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}

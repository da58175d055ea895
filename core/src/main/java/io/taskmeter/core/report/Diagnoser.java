package io.taskmeter.core.report;

import io.taskmeter.core.batch.TopProcess;
import io.taskmeter.core.stall.StallDetector;
import io.taskmeter.core.usage.Intervals;

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

    /** DESIGN §7 contention: PSI some ≥ 25 %, steal ≥ 10 %, or more runnable tasks than cores. */
    static final double PRESSURE = 0.25;
    static final double STEAL = 0.10;
    static final double RUN_QUEUE_PER_CPU = 1.0;
    /** Contended for at least this share of the time it ran (where the host said): contention is the verdict. */
    static final double CONTENDED_FRACTION = 0.5;

    /**
     * What batch format 1.1 adds to a diagnosis.
     *
     * @param diskWaitSeconds process-seconds in D state (state sampling); null when the batches did not carry it
     * @param intervals       the attempt's intervals, for the host contention matched to each
     */
    public record Detail(Double diskWaitSeconds, List<Intervals> intervals, List<TopProcess> topProcesses) {
        static final Detail NONE = new Detail(null, List.of(), List.of());
    }

    public static Diagnosis diagnose(List<StallDetector.Point> points, long peakRssBytes, long allocatedMemoryBytes,
                                     long processesSeen) {
        return diagnose(points, peakRssBytes, allocatedMemoryBytes, processesSeen, Detail.NONE);
    }

    /** The host's contention over the attempt's intervals, where the host reported it. */
    record Contention(double knownSeconds, double contendedSeconds, double cpuPressure, double ioPressure,
                      double steal, double runQueue) {
        static Contention of(List<Intervals> slices) {
            double known = 0;
            double contended = 0;
            double[] sums = new double[4];
            double[] weights = new double[4];
            for (Intervals iv : slices) {
                for (int i = 0; i < iv.size(); i++) {
                    double s = iv.s()[i];
                    double[] v = {iv.pc()[i], iv.pio()[i], iv.st()[i], iv.rq()[i]};
                    boolean any = false;
                    for (int k = 0; k < 4; k++) {
                        if (v[k] >= 0) {
                            any = true;
                            sums[k] += v[k] * s;
                            weights[k] += s;
                        }
                    }
                    if (any) {
                        known += s;
                        if (v[0] >= PRESSURE || v[1] >= PRESSURE || v[2] >= STEAL || v[3] > RUN_QUEUE_PER_CPU) {
                            contended += s;
                        }
                    }
                }
            }
            double[] avg = new double[4];
            for (int k = 0; k < 4; k++) {
                avg[k] = weights[k] > 0 ? sums[k] / weights[k] : Intervals.UNKNOWN;
            }
            return new Contention(known, contended, avg[0], avg[1], avg[2], avg[3]);
        }

        double fraction() {
            return knownSeconds > 0 ? contendedSeconds / knownSeconds : 0;
        }

        String describe() {
            List<String> parts = new ArrayList<>();
            if (cpuPressure >= 0) {
                parts.add("tasks waited for a CPU (PSI cpu some) " + pct(cpuPressure) + " of the time");
            }
            if (ioPressure >= 0) {
                parts.add("for I/O (PSI io some) " + pct(ioPressure));
            }
            if (steal >= 0) {
                parts.add("steal " + pct(steal));
            }
            if (runQueue >= 0) {
                parts.add(String.format(Locale.ROOT, "%.1f runnable tasks per CPU", runQueue));
            }
            return String.format(Locale.ROOT, "the host was contended %s of the time it ran (%s, on average)",
                    pct(fraction()), String.join(", ", parts));
        }
    }

    public static Diagnosis diagnose(List<StallDetector.Point> points, long peakRssBytes, long allocatedMemoryBytes,
                                     long processesSeen, Detail detail) {
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
        // D-state time (1.1) where the batches carried it: samples with a process in D only say "some of it".
        double waitFrac = detail.diskWaitSeconds() != null ? Math.min(1, detail.diskWaitSeconds() / total)
                : diskWait / total;
        Contention contention = Contention.of(detail.intervals());
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
        if (contention.knownSeconds() > 0) {
            signals.put("contended_fraction", r(contention.fraction()));
            putKnown(signals, "host_cpu_pressure", contention.cpuPressure());
            putKnown(signals, "host_io_pressure", contention.ioPressure());
            putKnown(signals, "host_steal", contention.steal());
            putKnown(signals, "host_run_queue_per_cpu", contention.runQueue());
        }
        boolean contended = contention.knownSeconds() >= total * 0.5
                && contention.fraction() >= CONTENDED_FRACTION;

        List<String> evidence = new ArrayList<>();
        List<String> suggestions = new ArrayList<>();
        String primary;
        if (memFrac >= 0.9) {
            primary = "memory-bound";
            evidence.add(pct(memFrac) + " of its memory allocation at peak");
            suggestions.add("raise its memory, or move it to a memory-optimised instance (r family)");
        } else if (contended) {
            primary = "contended";
            evidence.add(contention.describe());
            suggestions.add("the host, not the task, was the limit: run fewer tasks at once there (pool or "
                    + "worker concurrency), move it to a larger or non-burstable instance (steal), or schedule it "
                    + "away from the host's busy hours; more CPU or memory for the task alone will not help");
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
        if (!contended && contention.fraction() >= 0.2 && contention.knownSeconds() > 0) {
            evidence.add(contention.describe());
        }
        if (!detail.topProcesses().isEmpty()) {
            List<String> top = new ArrayList<>();
            for (TopProcess p : detail.topProcesses()) {
                top.add(String.format(Locale.ROOT, "%s (%.1f s CPU%s)", p.command().length() > 80
                        ? p.command().substring(0, 79) + "…" : p.command(), p.cpuMillis() / 1000.0,
                        p.processes() > 1 ? ", " + p.processes() + " processes" : ""));
            }
            evidence.add(processesSeen + " processes in its tree; most CPU: " + String.join("; ", top));
        }
        if (spawnPerMin >= 60) {
            evidence.add(String.format(Locale.ROOT, "%.0f subprocesses per minute seen", spawnPerMin));
            suggestions.add("it starts many short-lived subprocesses: batching them (one process, many items) "
                    + "saves their start-up cost");
        }
        return new Diagnosis(primary, evidence, suggestions, signals);
    }

    private static void putKnown(Map<String, Double> signals, String name, double v) {
        if (v >= 0) {
            signals.put(name, r(v));
        }
    }

    private static String pct(double f) {
        return Math.round(f * 100) + " %";
    }

    private static double r(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}

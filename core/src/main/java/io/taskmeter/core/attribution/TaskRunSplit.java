package io.taskmeter.core.attribution;

import io.taskmeter.core.cost.CostModel;
import io.taskmeter.core.usage.Intervals;

import java.util.ArrayList;
import java.util.List;

/**
 * Prefect task runs are threads of their flow-run process: the host sees one unit, the orchestrator several
 * task runs with start and end times. Each sampling interval's CPU goes to the task runs whose windows overlap
 * it, in proportion to each one's overlap; an interval no task run overlaps stays with the flow run. Task runs
 * whose windows overlap each other are flagged as shared: their split is a time share, not a measurement.
 * Memory and I/O stay at the flow-run level (DESIGN §4). Pure.
 */
public final class TaskRunSplit {
    private TaskRunSplit() {
    }

    /** A task run's window; {@code endMs} null while it runs (its window then reaches the flow run's end). */
    public record Window(String key, long startMs, Long endMs) {
    }

    /**
     * @param intervals the task run's part of each overlapping interval: its seconds, its cores, the flow run's
     *                  memory at that time
     */
    public record Share(String key, double cpuSeconds, List<CostModel.Interval> intervals, boolean shared) {
    }

    public static List<Share> split(List<Intervals> flowRun, List<Window> taskRuns) {
        long last = 0;
        for (Intervals iv : flowRun) {
            for (long t : iv.t()) {
                last = Math.max(last, t);
            }
        }
        int n = taskRuns.size();
        long[] from = new long[n];
        long[] to = new long[n];
        for (int i = 0; i < n; i++) {
            from[i] = taskRuns.get(i).startMs();
            to[i] = taskRuns.get(i).endMs() != null ? taskRuns.get(i).endMs() : Math.max(last, from[i]);
        }
        double[] cpu = new double[n];
        List<List<CostModel.Interval>> parts = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            parts.add(new ArrayList<>());
        }
        double[] overlap = new double[n];
        for (Intervals iv : flowRun) {
            for (int k = 0; k < iv.size(); k++) {
                long end = iv.t()[k];
                long start = end - Math.round(iv.s()[k] * 1000);
                double total = 0;
                for (int i = 0; i < n; i++) {
                    overlap[i] = Math.max(0, Math.min(end, to[i]) - Math.max(start, from[i]));
                    total += overlap[i];
                }
                if (total <= 0) {
                    continue;
                }
                double cpuSeconds = iv.c()[k] * iv.s()[k];
                for (int i = 0; i < n; i++) {
                    if (overlap[i] <= 0) {
                        continue;
                    }
                    double part = cpuSeconds * overlap[i] / total;
                    double seconds = overlap[i] / 1000.0;
                    cpu[i] += part;
                    parts.get(i).add(new CostModel.Interval(seconds, part / seconds, iv.m()[k]));
                }
            }
        }
        List<Share> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            boolean shared = false;
            for (int j = 0; j < n; j++) {
                if (j != i && from[i] < to[j] && from[j] < to[i]) {
                    shared = true;
                    break;
                }
            }
            out.add(new Share(taskRuns.get(i).key(), cpu[i], List.copyOf(parts.get(i)), shared));
        }
        return out;
    }
}

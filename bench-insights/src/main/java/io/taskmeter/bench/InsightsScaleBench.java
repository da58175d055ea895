package io.taskmeter.bench;

import io.taskmeter.core.cost.PriceTable;
import io.taskmeter.core.report.AttemptRecord;
import io.taskmeter.core.report.AttemptSummary;
import io.taskmeter.core.report.InsightsCalculator;
import io.taskmeter.core.report.TaskSummary;
import io.taskmeter.core.rightsizing.RightsizingSettings;
import io.taskmeter.core.usage.Intervals;
import io.taskmeter.core.usage.UsageSlice;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The insights job's computation at scale: N attempts of T tasks (each attempt one slice of 60 one-second
 * intervals, as a 1-minute task at 1 s sampling), streamed through {@link InsightsCalculator.Run} the way the
 * job streams them from DynamoDB. Reports wall time, attempts per second and peak heap. Run with -Xmx1g to hold
 * it to the target.
 */
public final class InsightsScaleBench {
    public static void main(String[] args) {
        int attempts = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int tasks = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
        int intervals = args.length > 2 ? Integer.parseInt(args[2]) : 60;
        long now = System.currentTimeMillis();
        InsightsCalculator calculator = new InsightsCalculator(PriceTable.builtIn(), RightsizingSettings.defaults());
        SplittableRandom random = new SplittableRandom(42);
        System.gc();
        long t0 = System.nanoTime();
        InsightsCalculator.Run run = calculator.start(now);
        double checksum = 0;
        for (int i = 0; i < attempts; i++) {
            int task = i % tasks;
            AttemptSummary a = run.add(attempt(i, task, now - (long) (random.nextDouble() * 13 * 86_400_000L),
                    intervals, random));
            checksum += a.cost().allocatedUsd();
            if ((i + 1) % 200_000 == 0) {
                System.err.printf("  %,d attempts, %.1f s%n", i + 1, (System.nanoTime() - t0) / 1e9);
            }
        }
        List<TaskSummary> summaries = run.tasks();
        int costRows = run.costs().size();
        double seconds = (System.nanoTime() - t0) / 1e9;
        long peakHeap = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                peakHeap += pool.getPeakUsage().getUsed();
            }
        }
        System.out.printf("attempts=%d tasks=%d intervals/attempt=%d: %.1f s, %.0f attempts/s, peak heap %.0f MiB "
                        + "(max %.0f MiB), %d recommendations, %d cost rows, checksum %.2f%n", attempts, tasks, intervals,
                seconds, attempts / seconds, peakHeap / 1048576.0, Runtime.getRuntime().maxMemory() / 1048576.0,
                summaries.size(), costRows, checksum);
    }

    static AttemptRecord attempt(int i, int task, long start, int n, SplittableRandom random) {
        double[] s = new double[n];
        double[] c = new double[n];
        long[] m = new long[n];
        long[] t = new long[n];
        long[] io = new long[n];
        long[] disk = new long[n];
        int[] d = new int[n];
        double level = 0.1 + (task % 17) / 10.0;
        double cpu = 0;
        long peak = 0;
        for (int k = 0; k < n; k++) {
            s[k] = 1;
            c[k] = level * (0.5 + random.nextDouble());
            m[k] = (100L + task % 900) << 20;
            t[k] = start + (k + 1) * 1000L;
            io[k] = random.nextInt(1 << 20);
            disk[k] = io[k] / 2;
            cpu += c[k];
            peak = Math.max(peak, m[k]);
        }
        String id = Integer.toHexString(i);
        UsageSlice slice = new UsageSlice("u" + id, "h/b/" + i, "host-" + (i % 500), "airflow", "title", Map.of(),
                null, start, start + n * 1000L, start, start + n * 1000L, cpu, peak, 0, 0, 0, 0, 3, 3, 0,
                new Intervals(s, c, m, t, io, disk, d), "m5.xlarge", 4, 16L << 30);
        return new AttemptRecord(id, Map.of("orchestrator", "airflow", "dag_or_flow", "dag" + task % 500,
                "task", "task" + task, "run", "run" + i / 10_000, "try_number", "1"), List.of(slice));
    }
}

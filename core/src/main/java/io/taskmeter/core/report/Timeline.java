package io.taskmeter.core.report;

import io.taskmeter.core.stall.StallDetector;

import java.util.List;

/**
 * An attempt's CPU, memory and I/O over time, reduced to at most {@link #MAX_POINTS} points (each the average
 * CPU, the peak memory and the summed I/O of the intervals it covers) so a report can draw it.
 */
public record Timeline(long[] t, double[] cores, long[] rssBytes, long[] ioBytes) {
    public static final int MAX_POINTS = 120;

    public static Timeline of(List<StallDetector.Point> points, List<Long> rssAtPoints) {
        int n = points.size();
        int buckets = Math.min(n, MAX_POINTS);
        long[] t = new long[buckets];
        double[] cores = new double[buckets];
        long[] rss = new long[buckets];
        long[] io = new long[buckets];
        for (int b = 0; b < buckets; b++) {
            int from = (int) ((long) b * n / buckets);
            int to = (int) ((long) (b + 1) * n / buckets);
            double seconds = 0;
            double cpu = 0;
            for (int i = from; i < to; i++) {
                StallDetector.Point p = points.get(i);
                seconds += p.seconds();
                cpu += p.cores() * p.seconds();
                rss[b] = Math.max(rss[b], rssAtPoints.get(i));
                io[b] += p.ioBytes();
            }
            t[b] = points.get(to - 1).endMs();
            cores[b] = seconds > 0 ? Math.round(cpu / seconds * 1000) / 1000.0 : 0;
        }
        return new Timeline(t, cores, rss, io);
    }
}

package io.taskmeter.core.stall;

import io.taskmeter.core.usage.Intervals;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The stall, I/O-hang and spin detectors over an attempt's most recent intervals (its whole tree). Each looks at
 * the trailing run of intervals that match its condition: the run's length decides, so the verdict depends only
 * on the data, never on when or how often it is evaluated.
 */
public final class StallDetector {
    private final StallSettings settings;

    public StallDetector(StallSettings settings) {
        this.settings = settings;
    }

    /** One interval of an attempt, from any unit and batch. */
    public record Point(long endMs, double seconds, double cores, long ioBytes, long diskBytes, int diskWait) {
    }

    public static List<Point> points(List<Intervals> slices) {
        List<Point> points = new ArrayList<>();
        for (Intervals iv : slices) {
            for (int i = 0; i < iv.size(); i++) {
                points.add(new Point(iv.t()[i], iv.s()[i], iv.c()[i], iv.io()[i], iv.disk()[i], iv.d()[i]));
            }
        }
        points.sort(Comparator.comparingLong(Point::endMs));
        return points;
    }

    /** The episodes open at the latest point; empty when the attempt has ended (a dead task is not stuck). */
    public Map<Episode.Kind, Episode> evaluate(List<Point> points, boolean alive) {
        Map<Episode.Kind, Episode> open = new EnumMap<>(Episode.Kind.class);
        if (!alive || points.isEmpty()) {
            return open;
        }
        trailing(points, p -> p.cores() < settings.idleCores() && p.ioBytes() == 0, settings.stallSeconds(),
                Episode.Kind.STALL, open);
        trailing(points, p -> p.diskWait() > 0 && p.diskBytes() == 0, settings.ioHangSeconds(),
                Episode.Kind.IO_HANG, open);
        trailing(points, p -> p.cores() >= settings.spinCores() && p.ioBytes() == 0, settings.spinSeconds(),
                Episode.Kind.SPIN, open);
        return open;
    }

    private static void trailing(List<Point> points, java.util.function.Predicate<Point> condition, double threshold,
                                 Episode.Kind kind, Map<Episode.Kind, Episode> open) {
        double seconds = 0;
        double cpu = 0;
        int maxWait = 0;
        long since = -1;
        for (int i = points.size() - 1; i >= 0 && condition.test(points.get(i)); i--) {
            Point p = points.get(i);
            seconds += p.seconds();
            cpu += p.cores() * p.seconds();
            maxWait = Math.max(maxWait, p.diskWait());
            since = p.endMs() - Math.round(p.seconds() * 1000);
        }
        if (since >= 0 && seconds >= threshold) {
            Map<String, Object> signals = new LinkedHashMap<>();
            signals.put("seconds", Math.round(seconds));
            signals.put("avg_cores", Math.round(cpu / seconds * 1000) / 1000.0);
            signals.put("io_bytes", 0);
            if (kind == Episode.Kind.IO_HANG) {
                signals.put("processes_in_d_state", maxWait);
            }
            signals.put("meaning", kind.meaning);
            open.put(kind, new Episode(kind, since, seconds, signals));
        }
    }
}

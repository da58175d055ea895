package io.taskmeter.core.report;

import io.taskmeter.core.rightsizing.Quantiles;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Objects;
import java.util.function.ToDoubleFunction;

/** Finds a task's slow attempts and the signals that differ most from its fast ones. */
public final class SlowRuns {
    /** Fewer finished attempts than this give no meaningful "usual". */
    static final int MIN_ATTEMPTS = 4;

    private SlowRuns() {
    }

    /** What slow-run analysis needs of an attempt: a few numbers, not its whole summary. */
    public record Facts(String id, String host, String state, double durationSeconds, double bytesRead,
                        double bytesWritten, double cpuSeconds, double avgCores, double diskWait, double idle,
                        double peakRssBytes, double contended) {
        /**
         * Disk wait is the D-state share of the time where the batches carried it (1.1), else the share of samples
         * with a process in D; contention is the share of its time the host was contended (0 when unknown).
         */
        public static Facts of(AttemptSummary a) {
            Map<String, Double> signals = a.diagnosis() == null ? Map.of() : a.diagnosis().signals();
            return new Facts(a.id(), a.host(), a.state(), a.durationSeconds(), a.usage().readBytes() + a.usage().rchar(),
                    a.usage().writeBytes() + a.usage().wchar(), a.usage().cpuSeconds(), a.usage().avgCores(),
                    a.usage().diskWaitSeconds() > 0 ? signals.getOrDefault("disk_wait_fraction", 0.0)
                            : a.usage().diskWaitFraction(),
                    signals.getOrDefault("idle_fraction", 0.0), a.usage().peakRssBytes(),
                    signals.getOrDefault("contended_fraction", 0.0));
        }
    }

    private record Signal(String name, ToDoubleFunction<Facts> value, String more, String less) {
    }

    private static final List<Signal> SIGNALS = List.of(
            new Signal("bytes read", Facts::bytesRead, "read %s× more bytes (did the input grow?)",
                    "read %s× fewer bytes"),
            new Signal("bytes written", Facts::bytesWritten, "wrote %s× more bytes (more output?)",
                    "wrote %s× fewer bytes"),
            new Signal("CPU-seconds", Facts::cpuSeconds, "used %s× more CPU-seconds (more work to do?)",
                    "used %s× fewer CPU-seconds"),
            new Signal("cores", Facts::avgCores, "ran %s× more cores on average",
                    "got %s× fewer cores on average (contended, or waiting on something)"),
            new Signal("disk wait", Facts::diskWait, "spent %s× more of its time in disk wait (disk contended or slower?)",
                    "spent %s× less time in disk wait"),
            new Signal("idle", Facts::idle,
                    "was idle %s× more of its time (waiting on an external system?)", "was idle %s× less of its time"),
            new Signal("memory", Facts::peakRssBytes, "peaked at %s× more memory", "peaked at %s× less memory"),
            new Signal("contention", Facts::contended,
                    "ran on a contended host %s× more of its time (CPU or I/O pressure, steal, run queue: the host, "
                            + "not the input)", "ran on a contended host %s× less of its time"));

    public static List<SlowRun> find(List<AttemptSummary> attempts) {
        return findIn(attempts.stream().map(Facts::of).toList());
    }

    public static List<SlowRun> findIn(List<Facts> attempts) {
        List<Facts> finished = attempts.stream().filter(a -> "finished".equals(a.state())).toList();
        if (finished.size() < MIN_ATTEMPTS) {
            return List.of();
        }
        double[] durations = finished.stream().mapToDouble(Facts::durationSeconds).toArray();
        double p90 = Quantiles.of(durations, 0.9);
        double median = Quantiles.of(durations, 0.5);
        List<Facts> fast = finished.stream().filter(a -> a.durationSeconds() <= median).toList();
        List<SlowRun> out = new ArrayList<>();
        for (Facts slow : finished) {
            if (slow.durationSeconds() <= p90) {
                continue;
            }
            record Diff(double score, String text) {
            }
            List<Diff> diffs = new ArrayList<>();
            for (Signal s : SIGNALS) {
                double usual = fast.stream().mapToDouble(s.value()).average().orElse(0);
                double mine = s.value().applyAsDouble(slow);
                double ratio = (mine + 1e-9) / (usual + 1e-9);
                if (usual <= 0 && mine <= 0 || Math.abs(Math.log(ratio)) < Math.log(1.25)) {
                    continue;
                }
                String text = String.format(Locale.ROOT, ratio >= 1 ? s.more() : s.less(),
                        usual <= 0 ? "∞" : String.format(Locale.ROOT, "%.1f", ratio >= 1 ? ratio : 1 / ratio));
                diffs.add(new Diff(Math.abs(Math.log(ratio)), text));
            }
            long otherHosts = fast.stream().filter(f -> !Objects.equals(f.host(), slow.host())).count();
            if (otherHosts == fast.size() && !fast.isEmpty()) {
                diffs.add(new Diff(Math.log(1.5), "ran on " + slow.host() + ", where none of the fast attempts ran"));
            }
            diffs.sort(Comparator.comparingDouble(Diff::score).reversed());
            out.add(new SlowRun(slow.id(), slow.durationSeconds(), Math.round(p90 * 1000) / 1000.0,
                    Math.round(median * 1000) / 1000.0,
                    diffs.isEmpty() ? List.of("no signal differs by more than 25 % from the fast attempts")
                            : diffs.stream().map(Diff::text).toList()));
        }
        return out;
    }
}

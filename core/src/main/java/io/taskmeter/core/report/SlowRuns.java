package io.taskmeter.core.report;

import io.taskmeter.core.rightsizing.Quantiles;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.ToDoubleFunction;

/** Finds a task's slow attempts and the signals that differ most from its fast ones. */
public final class SlowRuns {
    /** Fewer finished attempts than this give no meaningful "usual". */
    static final int MIN_ATTEMPTS = 4;

    private SlowRuns() {
    }

    private record Signal(String name, ToDoubleFunction<AttemptSummary> value, String more, String less) {
    }

    private static final List<Signal> SIGNALS = List.of(
            new Signal("bytes read", a -> a.usage().readBytes() + a.usage().rchar(), "read %s× more bytes (did the input grow?)",
                    "read %s× fewer bytes"),
            new Signal("bytes written", a -> a.usage().writeBytes() + a.usage().wchar(), "wrote %s× more bytes (more output?)",
                    "wrote %s× fewer bytes"),
            new Signal("CPU-seconds", a -> a.usage().cpuSeconds(), "used %s× more CPU-seconds (more work to do?)",
                    "used %s× fewer CPU-seconds"),
            new Signal("cores", a -> a.usage().avgCores(), "ran %s× more cores on average",
                    "got %s× fewer cores on average (contended, or waiting on something)"),
            new Signal("disk wait", a -> a.usage().diskWaitFraction(), "spent %s× more of its time in disk wait (disk contended or slower?)",
                    "spent %s× less time in disk wait"),
            new Signal("idle", a -> a.diagnosis() == null ? 0 : a.diagnosis().signals().getOrDefault("idle_fraction", 0.0),
                    "was idle %s× more of its time (waiting on an external system?)", "was idle %s× less of its time"),
            new Signal("memory", a -> a.usage().peakRssBytes(), "peaked at %s× more memory", "peaked at %s× less memory"));

    public static List<SlowRun> find(List<AttemptSummary> attempts) {
        List<AttemptSummary> finished = attempts.stream().filter(a -> "finished".equals(a.state())).toList();
        if (finished.size() < MIN_ATTEMPTS) {
            return List.of();
        }
        double[] durations = finished.stream().mapToDouble(AttemptSummary::durationSeconds).toArray();
        double p90 = Quantiles.of(durations, 0.9);
        double median = Quantiles.of(durations, 0.5);
        List<AttemptSummary> fast = finished.stream().filter(a -> a.durationSeconds() <= median).toList();
        List<SlowRun> out = new ArrayList<>();
        for (AttemptSummary slow : finished) {
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

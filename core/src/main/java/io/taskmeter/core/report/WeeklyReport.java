package io.taskmeter.core.report;

import io.taskmeter.core.stall.StallAlert;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;

/**
 * The weekly rightsizing report's content, the same for its HTML, JSON and CSV forms: what ran in the period,
 * what it cost on both bases, what to change (biggest savings first) and which tasks stalled.
 */
public record WeeklyReport(String generatedAt, String periodFrom, String periodTo, Totals totals,
                           List<TaskSummary> tasks, List<AttemptSummary> attempts, List<CostRollup> costs,
                           List<StallAlert> stalls) {

    public record Totals(int attempts, int tasks, double allocatedUsd, double usedUsd, double wasteUsd,
                         double monthlySavingsUsd, int stalls) {
    }

    /** The attempts that started in [from, to), their tasks (savings first), and the stalls of the period. */
    public static WeeklyReport of(Insights insights, List<StallAlert> stalls, long fromMs, long toMs) {
        String from = Instant.ofEpochMilli(fromMs).toString();
        String to = Instant.ofEpochMilli(toMs).toString();
        List<AttemptSummary> attempts = insights.attempts().stream()
                .filter(a -> a.startedAt().compareTo(from) >= 0 && a.startedAt().compareTo(to) < 0).toList();
        List<String> taskIds = attempts.stream().map(AttemptSummary::taskId).distinct().toList();
        List<TaskSummary> tasks = insights.tasks().stream().filter(t -> taskIds.contains(t.id()))
                .sorted(Comparator.comparingDouble((TaskSummary t) -> t.recommendation().monthlyDeltaUsd()).reversed())
                .toList();
        List<StallAlert> inPeriod = stalls.stream()
                .filter(s -> s.changedAt().compareTo(from) >= 0 && s.since().compareTo(to) < 0).toList();
        double allocated = attempts.stream().mapToDouble(a -> a.cost().allocatedUsd()).sum();
        double used = attempts.stream().mapToDouble(a -> a.cost().usedUsd()).sum();
        double savings = tasks.stream().mapToDouble(t -> Math.max(0, t.recommendation().monthlyDeltaUsd())).sum();
        return new WeeklyReport(Instant.ofEpochMilli(insights.computedAtMs()).toString(), from, to,
                new Totals(attempts.size(), tasks.size(), allocated, used, allocated - used, savings, inPeriod.size()),
                tasks, attempts, InsightsCalculator.rollups(attempts), inPeriod);
    }
}

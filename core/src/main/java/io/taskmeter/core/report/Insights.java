package io.taskmeter.core.report;

import java.util.List;

/** Everything one insights run computes: per attempt, per task, and cost rollups. */
public record Insights(long computedAtMs, List<AttemptSummary> attempts, List<TaskSummary> tasks,
                       List<CostRollup> costs) {
}

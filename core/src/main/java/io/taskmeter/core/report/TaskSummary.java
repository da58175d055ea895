package io.taskmeter.core.report;

import io.taskmeter.core.rightsizing.Recommendation;

/** One task across its attempts in the window: how often it ran, what it cost, and what to give it. */
public record TaskSummary(String id, String orchestrator, String dagOrFlow, String task, int attempts,
                          String lastAttemptAt, double allocatedUsd, double usedUsd,
                          Recommendation recommendation, java.util.List<SlowRun> slowRuns) {
}

package io.taskmeter.core.report;

import java.util.List;

/**
 * An attempt slower than its task usually is (above the p90 of its finished attempts' durations), and what set
 * it apart from the task's fast attempts, most different first, so a reader can tell "the input grew" from
 * "the disk was contended".
 */
public record SlowRun(String attemptId, double durationSeconds, double p90Seconds, double fastMedianSeconds,
                      List<String> differences) {
}

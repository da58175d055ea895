package io.taskmeter.core.rightsizing;

/** What rightsizing needs of one attempt. */
public record AttemptStats(String attemptId, long startMs, double durationSeconds, boolean succeeded,
                           boolean oomKilled, double p95Cores, long peakMemoryBytes, double allocatedCpus,
                           long allocatedMemoryBytes, String allocationSource) {
}

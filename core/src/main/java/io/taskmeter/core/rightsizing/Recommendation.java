package io.taskmeter.core.rightsizing;

/**
 * What a task should be given, against what it has, and why.
 *
 * @param finding         "over-provisioned", "under-provisioned" or "right-sized"
 * @param confidence      "high" (≥ 5 attempts), "medium" (2–4) or "low" (1)
 * @param monthlyDeltaUsd what moving to the recommendation saves per month at the task's current run time
 *                        (negative: what giving it enough costs); 0 when it has not run within the window
 * @param explanation     one sentence: percentile and margins, floors or OOM bump applied, attempts counted,
 *                        where the allocation came from and what to do (docs/algorithms.md §3)
 */
public record Recommendation(String taskId, double cpuCores, long memoryBytes, double currentCpus,
                             long currentMemoryBytes, String currentSource, String finding, String confidence,
                             int attemptsCounted, int oomKilled, double monthlyDeltaUsd, String explanation) {
}

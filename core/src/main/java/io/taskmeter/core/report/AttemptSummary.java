package io.taskmeter.core.report;

import io.taskmeter.core.batch.TopProcess;
import io.taskmeter.core.cost.AttemptCost;

import java.util.List;

/**
 * One attempt as the API and the report show it: who it was (orchestrator identity and how we know), what it
 * used, what it was given, and what that cost.
 */
public record AttemptSummary(String id, String taskId, String orchestrator, String dagOrFlow, String task,
                             String run, String tryNumber, int mapIndex, String host, String attributedBy,
                             double confidence, String state, String startedAt, String endedAt,
                             double durationSeconds, String command, Usage usage, Allocation allocation,
                             AttemptCost cost, List<String> units, Diagnosis diagnosis,
                             Timeline timeline, OrchestratorInfo orchestratorMetadata) {

    /** An attempt without orchestrator metadata. */
    public AttemptSummary(String id, String taskId, String orchestrator, String dagOrFlow, String task, String run,
                          String tryNumber, int mapIndex, String host, String attributedBy, double confidence,
                          String state, String startedAt, String endedAt, double durationSeconds, String command,
                          Usage usage, Allocation allocation, AttemptCost cost, List<String> units,
                          Diagnosis diagnosis, Timeline timeline) {
        this(id, taskId, orchestrator, dagOrFlow, task, run, tryNumber, mapIndex, host, attributedBy, confidence,
                state, startedAt, endedAt, durationSeconds, command, usage, allocation, cost, units, diagnosis,
                timeline, null);
    }

    /** This attempt as the orchestrator's record describes it. */
    public AttemptSummary withOrchestratorMetadata(OrchestratorInfo info) {
        return new AttemptSummary(id, taskId, orchestrator, dagOrFlow, task, run, tryNumber, mapIndex, host,
                attributedBy, confidence, state, startedAt, endedAt, durationSeconds, command, usage, allocation, cost,
                units, diagnosis, timeline, info);
    }

    /**
     * @param p95Cores         95th percentile of the per-interval CPU, in cores
     * @param diskWaitFraction share of samples in which a process of the tree was in uninterruptible (D) state
     * @param processesSeen    processes the tree spawned: seen alive, plus those inferred from reaped-children CPU
     * @param runningSeconds   process-seconds in state R (batch format 1.1; 0 before), likewise
     *                         {@code sleepingSeconds} (S/I) and {@code diskWaitSeconds} (D)
     * @param peakPssBytes     largest proportional set size of the tree, null when never read
     * @param topProcesses     the commands of the tree that used the most CPU, most first (redacted on the host)
     */
    public record Usage(double cpuSeconds, long peakRssBytes, long readBytes, long writeBytes, long rchar,
                        long wchar, double avgCores, double p95Cores, int maxProcesses, long processesSeen,
                        double diskWaitFraction, double runningSeconds, double sleepingSeconds,
                        double diskWaitSeconds, long voluntarySwitches, long involuntarySwitches, Long peakPssBytes,
                        List<TopProcess> topProcesses) {
        public Usage {
            topProcesses = topProcesses == null ? List.of() : topProcesses;
        }

        /** The figures of batch format 1.0. */
        public Usage(double cpuSeconds, long peakRssBytes, long readBytes, long writeBytes, long rchar, long wchar,
                     double avgCores, double p95Cores, int maxProcesses, long processesSeen,
                     double diskWaitFraction) {
            this(cpuSeconds, peakRssBytes, readBytes, writeBytes, rchar, wchar, avgCores, p95Cores, maxProcesses,
                    processesSeen, diskWaitFraction, 0, 0, 0, 0, 0, null, List.of());
        }
    }

    /**
     * @param source "orchestrator request (&lt;where&gt;)" (executor_config, job variables), "request" (declared by
     *               the task's TASKMETER_* environment) or "host share" (no request: the host)
     */
    public record Allocation(double cpus, long memoryBytes, String source) {
    }
}

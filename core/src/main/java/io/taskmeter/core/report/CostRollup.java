package io.taskmeter.core.report;

/** Cost of every attempt of one DAG/flow, task or run, on both bases, and the waste between them. */
public record CostRollup(String groupBy, String key, int attempts, double cpuSeconds, double allocatedUsd,
                         double usedUsd, double wasteUsd) {

    public static final java.util.List<String> GROUPINGS = java.util.List.of("dag", "flow", "task", "run");
}

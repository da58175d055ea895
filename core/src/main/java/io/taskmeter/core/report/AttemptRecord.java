package io.taskmeter.core.report;

import io.taskmeter.core.usage.UsageSlice;

import java.util.List;
import java.util.Map;

/**
 * An attempt as stored: identity fields (orchestrator, dag_or_flow, task, run, try_number, map_index, how,
 * confidence, host_id, cpu_request, memory_request, command, ti_id) and the usage slices attributed to it.
 */
public record AttemptRecord(String attemptId, Map<String, String> meta, List<UsageSlice> slices) {
}

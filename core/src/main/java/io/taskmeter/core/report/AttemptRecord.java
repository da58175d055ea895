package io.taskmeter.core.report;

import io.taskmeter.core.metadata.AttachedRecord;
import io.taskmeter.core.usage.UsageSlice;

import java.util.List;
import java.util.Map;

/**
 * An attempt as stored: identity fields (orchestrator, dag_or_flow, task, run, try_number, map_index, how,
 * confidence, host_id, cpu_request, memory_request, command, ti_id), the usage slices attributed to it, and the
 * orchestrator records tied to it (directly or by a join), in any order.
 */
public record AttemptRecord(String attemptId, Map<String, String> meta, List<UsageSlice> slices,
                            List<AttachedRecord> metadata) {

    public AttemptRecord {
        metadata = metadata == null ? List.of() : List.copyOf(metadata);
    }

    public AttemptRecord(String attemptId, Map<String, String> meta, List<UsageSlice> slices) {
        this(attemptId, meta, slices, List.of());
    }
}

package io.taskmeter.core.batch;

import java.util.List;
import java.util.Map;

/**
 * One execution unit (a task's process tree) within one batch.
 *
 * @param unitId         {@code <boot id>/<root pid>/<root start ticks>}: unique across PID reuse and reboots
 * @param startedMs      root process start, epoch milliseconds
 * @param endedMs        when the root was seen gone, or null while it runs
 * @param kind           "airflow", "prefect" or "generic"
 * @param how            how the unit was recognised: "title", "env", "label"
 * @param tags           orchestrator identity (dag_id, task_id, run_id, try_number, flow_run_id, ...)
 * @param command        the root's command line, redacted on the host
 * @param base           counters at the start of this batch: the previous batch's last sample, or zeros for a
 *                       unit that started after the shipper; every delta of the batch is computable from it
 * @param samples        counters at each sampling instant, oldest first
 * @param partial        true when the shipper first saw the unit already running, so usage before that is missing
 * @param cgroup         (1.1) the unit's own cgroup v2 path (a container or pod), null when it shares the host's
 * @param topProcesses   (1.1) the commands that used the most CPU in the tree since the unit started, most first,
 *                       at most {@link #MAX_TOP_PROCESSES}; empty in 1.0 batches
 */
public record UnitSeries(String unitId, int rootPid, long rootStartTicks, long startedMs, Long endedMs,
                         String kind, String how, Map<String, String> tags, String command,
                         Sample base, List<Sample> samples, boolean partial, String cgroup,
                         List<TopProcess> topProcesses) {
    public static final int MAX_TOP_PROCESSES = 5;

    public UnitSeries {
        topProcesses = topProcesses == null ? List.of() : topProcesses;
    }

    /** The 1.0 fields only. */
    public UnitSeries(String unitId, int rootPid, long rootStartTicks, long startedMs, Long endedMs, String kind,
                      String how, Map<String, String> tags, String command, Sample base, List<Sample> samples,
                      boolean partial) {
        this(unitId, rootPid, rootStartTicks, startedMs, endedMs, kind, how, tags, command, base, samples, partial,
                null, List.of());
    }

    public Sample last() {
        return samples.isEmpty() ? base : samples.get(samples.size() - 1);
    }
}

package io.taskmeter.core.usage;

import io.taskmeter.core.batch.Batch;
import io.taskmeter.core.batch.TopProcess;
import io.taskmeter.core.batch.UnitSeries;

import java.util.List;
import java.util.Map;

/**
 * The usage of one unit within one batch, with the unit's identity and the host it ran on: the grain at which
 * usage is stored and attributed. Everything an attempt's totals, percentiles and cost need, so later steps
 * never re-read the batch.
 *
 * <p>From batch format 1.1 (zero, null or empty for older slices): time by state and context switches in the
 * batch, the tree's peak PSS, the unit's top commands so far (cumulative since the unit started: the latest
 * slice's list is the unit's), and its own cgroup.
 */
public record UsageSlice(String unitId, String batchId, String hostId, String kind, String how,
                         Map<String, String> tags, String command, long startedMs, Long endedMs,
                         long startMs, long endMs, double cpuSeconds, long peakRssBytes, long readBytes,
                         long writeBytes, long rchar, long wchar, int maxProcesses, long spawned,
                         int samplesInDiskWait, Intervals intervals, String instanceType, int hostCpus,
                         long hostMemoryBytes, long runningMs, long sleepingMs, long diskWaitMs,
                         long voluntarySwitches, long involuntarySwitches, Long peakPssBytes,
                         List<TopProcess> topProcesses, String cgroup) {

    public UsageSlice {
        topProcesses = topProcesses == null ? List.of() : topProcesses;
    }

    /** The fields of batch format 1.0. */
    public UsageSlice(String unitId, String batchId, String hostId, String kind, String how,
                      Map<String, String> tags, String command, long startedMs, Long endedMs,
                      long startMs, long endMs, double cpuSeconds, long peakRssBytes, long readBytes,
                      long writeBytes, long rchar, long wchar, int maxProcesses, long spawned,
                      int samplesInDiskWait, Intervals intervals, String instanceType, int hostCpus,
                      long hostMemoryBytes) {
        this(unitId, batchId, hostId, kind, how, tags, command, startedMs, endedMs, startMs, endMs, cpuSeconds,
                peakRssBytes, readBytes, writeBytes, rchar, wchar, maxProcesses, spawned, samplesInDiskWait,
                intervals, instanceType, hostCpus, hostMemoryBytes, 0, 0, 0, 0, 0, null, List.of(), null);
    }

    public static UsageSlice of(Batch batch, UnitSeries unit) {
        UnitUsage u = UnitUsage.of(unit, batch.hostSignals(), batch.host().cpus());
        return new UsageSlice(unit.unitId(), batch.batchId(), batch.hostId(), unit.kind(), unit.how(),
                unit.tags(), unit.command(), unit.startedMs(), unit.endedMs(), u.startMs(), u.endMs(),
                u.cpuSeconds(), u.peakRssBytes(), u.readBytes(), u.writeBytes(), u.rchar(), u.wchar(),
                u.maxProcesses(), u.spawned(), u.samplesInDiskWait(),
                u.intervals(),
                batch.host().instanceType(), batch.host().cpus(), batch.host().memoryBytes(), u.runningMs(),
                u.sleepingMs(), u.diskWaitMs(), u.voluntarySwitches(), u.involuntarySwitches(), u.peakPssBytes(),
                unit.topProcesses(), unit.cgroup());
    }
}

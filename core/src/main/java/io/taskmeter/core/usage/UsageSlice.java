package io.taskmeter.core.usage;

import io.taskmeter.core.batch.Batch;
import io.taskmeter.core.batch.UnitSeries;

import java.util.Map;

/**
 * The usage of one unit within one batch, with the unit's identity and the host it ran on: the grain at which
 * usage is stored and attributed. Everything an attempt's totals, percentiles and cost need, so later steps
 * never re-read the batch.
 */
public record UsageSlice(String unitId, String batchId, String hostId, String kind, String how,
                         Map<String, String> tags, String command, long startedMs, Long endedMs,
                         long startMs, long endMs, double cpuSeconds, long peakRssBytes, long readBytes,
                         long writeBytes, long rchar, long wchar, int maxProcesses, long spawned,
                         int samplesInDiskWait, Intervals intervals, String instanceType, int hostCpus,
                         long hostMemoryBytes) {

    public static UsageSlice of(Batch batch, UnitSeries unit) {
        UnitUsage u = UnitUsage.of(unit);
        return new UsageSlice(unit.unitId(), batch.batchId(), batch.hostId(), unit.kind(), unit.how(),
                unit.tags(), unit.command(), unit.startedMs(), unit.endedMs(), u.startMs(), u.endMs(),
                u.cpuSeconds(), u.peakRssBytes(), u.readBytes(), u.writeBytes(), u.rchar(), u.wchar(),
                u.maxProcesses(), u.spawned(), u.samplesInDiskWait(),
                u.intervals(),
                batch.host().instanceType(), batch.host().cpus(), batch.host().memoryBytes());
    }
}

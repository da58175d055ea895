package io.taskmeter.core.batch;

/**
 * Counters of the cgroup v2 a unit runs in when that cgroup is the unit's own (a container or pod): the kernel's
 * totals for everything in it, exited processes included. A file the kernel or its controllers do not offer
 * (memory.peak before 5.19, a controller not enabled) is null.
 *
 * @param cpuUsageUs     usage_usec of cpu.stat
 * @param cpuThrottledUs throttled_usec of cpu.stat: time the CPU limit held it back
 * @param ioReadBytes    rbytes of io.stat, summed over devices
 */
public record CgroupSample(Long cpuUsageUs, Long cpuThrottledUs, Long memoryCurrentBytes, Long memoryPeakBytes,
                           Long ioReadBytes, Long ioWriteBytes, Pressure psi) {
}

package io.taskmeter.core.batch;

import java.util.List;

/**
 * The host's own counters at one sampling instant (batch format 1.1). CPU times are cumulative milliseconds summed
 * over all CPUs, so the share of any interval is a difference of two samples over (length × cpus).
 *
 * @param cpuBusyMs          user, nice, system, irq and softirq time (guest time is inside user)
 * @param cpuStealMs         time the hypervisor ran something else while this host wanted the CPU
 * @param load1              1-minute load average
 * @param runnable           tasks runnable right now (procs_running of /proc/stat): the run queue
 * @param blocked            tasks blocked on I/O right now (procs_blocked)
 * @param memAvailableBytes  MemAvailable of /proc/meminfo
 * @param swapUsedBytes      SwapTotal − SwapFree
 * @param psi                null where the kernel has no /proc/pressure
 */
public record HostSample(long t, long cpuBusyMs, long cpuIdleMs, long cpuIowaitMs, long cpuStealMs, double load1,
                         int runnable, int blocked, long memAvailableBytes, long swapUsedBytes, Pressure psi,
                         List<DiskCounters> disks, List<NetCounters> nets) {
}

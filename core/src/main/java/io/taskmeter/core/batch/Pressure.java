package io.taskmeter.core.batch;

/**
 * Pressure stall information (PSI) as cumulative stalled microseconds ({@code total=} of /proc/pressure/* or a
 * cgroup's *.pressure): the share of any interval is the difference of two readings over its length, exact where
 * the kernel's avg10 would blur it. A resource the kernel does not report (no PSI, or cpu "full" before 5.13) is
 * null, never 0.
 */
public record Pressure(Long cpuSomeUs, Long cpuFullUs, Long memorySomeUs, Long memoryFullUs, Long ioSomeUs,
                       Long ioFullUs) {
}

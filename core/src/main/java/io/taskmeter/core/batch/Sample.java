package io.taskmeter.core.batch;

/**
 * Cumulative counters of one execution unit's whole process tree at one instant. Counters only grow while the
 * unit lives, so the usage of any interval is the difference of two samples.
 *
 * @param t          sample time, epoch milliseconds
 * @param cpuMillis  user+system CPU of every process of the tree, reaped children included
 * @param rssBytes   resident memory of the live processes of the tree, summed
 * @param hwmBytes   largest VmHWM (peak RSS) of any single process of the tree seen so far
 * @param readBytes  bytes read from the block layer
 * @param writeBytes bytes written to the block layer
 * @param rchar      bytes passed to read-like calls (page cache hits and pipes included)
 * @param wchar      bytes passed to write-like calls
 * @param processes  live processes in the tree
 * @param spawned    processes ever seen in the tree, cumulative (sampling misses those shorter than an interval)
 * @param running    processes in state R
 * @param diskWait   processes in state D (uninterruptible, usually I/O)
 *
 * <p>Since 1.1 (absent in 1.0 batches: zero, or null where marked):
 * @param runningMs           process-milliseconds in state R, by sampling each member's state every interval
 * @param sleepingMs          process-milliseconds in state S or I (waiting for an event: a socket, a pipe, a timer)
 * @param diskWaitMs          process-milliseconds in state D (uninterruptible: disk, or a hung network mount)
 * @param voluntarySwitches   context switches the tree's processes gave up the CPU for (waiting), exited ones kept
 * @param involuntarySwitches context switches the scheduler forced (preempted: CPU contention)
 * @param pssBytes            proportional set size of the live processes (shared pages split among sharers), read
 *                            at most every 30 s; null when never read
 * @param spawnedInferred     part of {@code spawned} never seen alive: inferred from a member's cutime/cstime
 *                            growing with no seen child to explain it (at least one child each time)
 * @param cgroup              the unit's own cgroup v2 counters, null when the unit is not a cgroup of its own
 */
public record Sample(long t, long cpuMillis, long rssBytes, long hwmBytes, long readBytes, long writeBytes,
                     long rchar, long wchar, int processes, long spawned, int running, int diskWait,
                     long runningMs, long sleepingMs, long diskWaitMs, long voluntarySwitches,
                     long involuntarySwitches, Long pssBytes, long spawnedInferred, CgroupSample cgroup) {

    /** The 1.0 fields only: what callers that know nothing of 1.1 build. */
    public Sample(long t, long cpuMillis, long rssBytes, long hwmBytes, long readBytes, long writeBytes,
                  long rchar, long wchar, int processes, long spawned, int running, int diskWait) {
        this(t, cpuMillis, rssBytes, hwmBytes, readBytes, writeBytes, rchar, wchar, processes, spawned, running,
                diskWait, 0, 0, 0, 0, 0, null, 0, null);
    }

    /** The counters of a unit that has not run yet: usage since start is everything after it. */
    public static Sample zeroAt(long t) {
        return new Sample(t, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    }
}

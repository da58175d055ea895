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
 */
public record Sample(long t, long cpuMillis, long rssBytes, long hwmBytes, long readBytes, long writeBytes,
                     long rchar, long wchar, int processes, long spawned, int running, int diskWait) {

    /** The counters of a unit that has not run yet: usage since start is everything after it. */
    public static Sample zeroAt(long t) {
        return new Sample(t, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    }
}

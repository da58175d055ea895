package io.taskmeter.shipper;

/**
 * One process as /proc/PID/stat shows it. CPU in clock ticks; {@code childTicks} is cutime+cstime: the CPU of
 * children that exited and were reaped, which is how subprocesses shorter than a sample are still counted.
 *
 * @param comm        the command name (field 2); it changes on exec, which is when a process's title and
 *                    environment must be looked at again
 * @param startTicks  start time in clock ticks after boot (field 22): with the pid, the process's identity
 */
record ProcStat(int pid, String comm, int ppid, char state, long selfTicks, long childTicks, long startTicks,
                long rssPages) {

    long totalTicks() {
        return selfTicks + childTicks;
    }

    /** (pid, start ticks) as one long: a reused pid is a different process. */
    long key() {
        return key(pid, startTicks);
    }

    static long key(int pid, long startTicks) {
        return ((long) pid << 40) ^ (startTicks & ((1L << 40) - 1));
    }
}

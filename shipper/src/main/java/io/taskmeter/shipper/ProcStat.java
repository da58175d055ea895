package io.taskmeter.shipper;

/**
 * One process as /proc/PID/stat shows it. CPU in clock ticks; {@code childTicks} is cutime+cstime: the CPU of
 * children that exited and were reaped, which is how subprocesses shorter than a sample are still counted.
 */
record ProcStat(int pid, int ppid, char state, long selfTicks, long childTicks, long startTicks, long rssPages) {

    long totalTicks() {
        return selfTicks + childTicks;
    }
}

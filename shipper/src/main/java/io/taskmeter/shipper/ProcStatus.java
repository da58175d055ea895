package io.taskmeter.shipper;

/** What the shipper takes from /proc/PID/status: peak resident set and the main thread's context switches. */
record ProcStatus(long hwmBytes, long voluntarySwitches, long involuntarySwitches) {
}

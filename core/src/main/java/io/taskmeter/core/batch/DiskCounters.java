package io.taskmeter.core.batch;

/**
 * One whole block device of /proc/diskstats, cumulative since boot.
 *
 * @param ioMs milliseconds the device had I/O in flight (field 13): its busy time
 */
public record DiskCounters(String name, long readBytes, long writeBytes, long ioMs) {
}

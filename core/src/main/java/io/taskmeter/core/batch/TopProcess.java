package io.taskmeter.core.batch;

/**
 * One command among the processes a unit ran, with the CPU all its processes used (their own time, as last seen).
 *
 * @param command   the executable name and its arguments, redacted on the host and cut to 256 characters
 * @param processes how many processes ran this command
 */
public record TopProcess(String command, long cpuMillis, int processes) {
}

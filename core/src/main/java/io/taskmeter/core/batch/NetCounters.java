package io.taskmeter.core.batch;

/** One network interface of /proc/net/dev (loopback excluded), cumulative bytes since it came up. */
public record NetCounters(String name, long rxBytes, long txBytes) {
}

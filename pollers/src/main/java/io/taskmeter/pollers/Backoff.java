package io.taskmeter.pollers;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with jitter: the n-th consecutive failure waits a random time between half and all of
 * {@code base * 2^(n-1)}, capped. The jitter keeps many shippers that lost the same orchestrator from coming back
 * in step.
 */
public record Backoff(Duration base, Duration max) {
    public static final Backoff DEFAULT = new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(5));

    public Backoff {
        if (base.isNegative() || base.isZero() || max.compareTo(base) < 0) {
            throw new IllegalArgumentException("backoff needs 0 < base <= max, was " + base + ", " + max);
        }
    }

    /** @param failures consecutive failures so far, at least 1 */
    public long delayMs(int failures) {
        long cap = base.toMillis();
        for (int i = 1; i < failures && cap < max.toMillis(); i++) {
            cap *= 2;
        }
        cap = Math.min(cap, max.toMillis());
        return cap / 2 + ThreadLocalRandom.current().nextLong(cap / 2 + 1);
    }
}

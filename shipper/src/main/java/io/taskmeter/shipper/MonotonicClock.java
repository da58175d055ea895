package io.taskmeter.shipper;

import java.util.function.LongSupplier;
import java.util.logging.Logger;

/**
 * Epoch milliseconds that never go backwards: anchored to the wall clock and advanced by the monotonic clock
 * ({@link System#nanoTime}), so a sample's time only depends on real elapsed time. A forward step of the wall
 * clock (NTP correcting a clock that was late) is followed; a backward step is not followed until the wall clock
 * catches up again: sample times stay in order (a reader rejects a series whose times decrease), and the step is
 * logged once. Thread-safe.
 */
final class MonotonicClock implements LongSupplier {
    private static final Logger LOG = Logger.getLogger(MonotonicClock.class.getName());
    /** Differences smaller than this are drift, not a step. */
    static final long STEP_MS = 2_000;

    private final LongSupplier wallMs;
    private final LongSupplier nanos;
    private long anchorMs;
    private long anchorNanos;
    private long last = Long.MIN_VALUE;
    private boolean behind;

    MonotonicClock(LongSupplier wallMs, LongSupplier nanos) {
        this.wallMs = wallMs;
        this.nanos = nanos;
        this.anchorMs = wallMs.getAsLong();
        this.anchorNanos = nanos.getAsLong();
    }

    /** The system wall clock, advanced monotonically. */
    static MonotonicClock system() {
        return new MonotonicClock(System::currentTimeMillis, System::nanoTime);
    }

    @Override
    public synchronized long getAsLong() {
        long n = nanos.getAsLong();
        long derived = anchorMs + (n - anchorNanos) / 1_000_000;
        long wall = wallMs.getAsLong();
        if (wall > derived + STEP_MS) {
            LOG.warning("the wall clock stepped forward by " + (wall - derived) + " ms: following it");
            anchorMs = wall;
            anchorNanos = n;
            derived = wall;
            behind = false;
        } else if (wall < derived - STEP_MS) {
            if (!behind) {
                LOG.warning("the wall clock stepped back by " + (derived - wall) + " ms: sample times keep "
                        + "counting real elapsed time from before the step, so they stay in order");
                behind = true;
            }
        } else {
            behind = false;
        }
        last = Math.max(last, derived);
        return last;
    }
}

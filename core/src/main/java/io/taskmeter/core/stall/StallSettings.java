package io.taskmeter.core.stall;

/**
 * Thresholds of the live detectors (DESIGN §7).
 *
 * @param idleCores      below this many cores a tree counts as not computing
 * @param stallSeconds   no CPU and no I/O progress for this long while alive → stall
 * @param ioHangSeconds  a process in D state with no disk progress for this long → I/O hang
 * @param spinCores      at or above this many cores with no I/O …
 * @param spinSeconds    … for this long → spin
 */
public record StallSettings(double idleCores, double stallSeconds, double ioHangSeconds, double spinCores,
                            double spinSeconds) {
    public static StallSettings defaults() {
        return new StallSettings(0.02, 600, 120, 0.9, 600);
    }

    /** The same detectors with every duration scaled to {@code seconds} for the stall (demos and tests). */
    public StallSettings withStallAfter(double seconds) {
        double f = seconds / stallSeconds;
        return new StallSettings(idleCores, seconds, ioHangSeconds * f, spinCores, spinSeconds * f);
    }
}

package io.taskmeter.core.rightsizing;

/**
 * Rightsizing knobs (DESIGN §7). Defaults sit between VPA (p90 + 15 %), KRR (CPU p95, memory max + 15 %) and
 * Compute Optimizer (p99.5 + 20 %).
 *
 * @param overProvisionedRatio allocation above this multiple of the recommendation counts as over-provisioned
 */
public record RightsizingSettings(int windowDays, double cpuPercentile, double cpuMargin, double memoryMargin,
                                  double oomBump, double cpuFloor, long memoryFloorBytes,
                                  double overProvisionedRatio) {
    public static RightsizingSettings defaults() {
        return new RightsizingSettings(14, 0.95, 1.15, 1.15, 1.25, 0.05, 128L << 20, 1.3);
    }
}

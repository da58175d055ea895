package io.taskmeter.core.cost;

/**
 * What an attempt cost on both bases (DESIGN §7): allocated = max(requested, used) over time, used = what it
 * used; waste is the difference.
 */
public record AttemptCost(double allocatedUsd, double usedUsd, double wasteUsd, double cpuAllocatedUsd,
                          double memoryAllocatedUsd, String instanceType, String priceSource) {
}

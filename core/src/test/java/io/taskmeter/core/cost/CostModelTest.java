package io.taskmeter.core.cost;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class CostModelTest {
    private static final long GIB = 1L << 30;
    /** Round unit prices so the sums below can be done by hand. */
    private static final UnitPrices PRICES = new UnitPrices(0.04, 0.005, 0.096, "m5.large", "test");

    @Test
    void allocatedUsedAndWasteOverThreeIntervals() {
        // Request 1 CPU / 2 GiB.
        //   1 h   at 0.5 cores, 1 GiB (below the request): allocated 1 × 0.04 + 2 × 0.005 = 0.05,  used 0.02 + 0.005 = 0.025
        //   0.5 h at 2 cores,   3 GiB (above the request): allocated 0.5 × (0.08 + 0.015) = 0.0475, used the same
        //   0.5 h at 1 core,    2 GiB (at the request):    allocated 0.5 × (0.04 + 0.01) = 0.025,   used the same
        // allocated = 0.1225 (CPU 0.04 + 0.04 + 0.02 = 0.10, memory 0.01 + 0.0075 + 0.005 = 0.0225)
        // used = 0.025 + 0.0475 + 0.025 = 0.0975; waste = 0.025, all from the first hour
        List<CostModel.Interval> intervals = List.of(
                new CostModel.Interval(3600, 0.5, GIB),
                new CostModel.Interval(1800, 2, 3 * GIB),
                new CostModel.Interval(1800, 1, 2 * GIB));
        AttemptCost c = CostModel.cost(intervals, 1, 2 * GIB, PRICES);
        assertEquals(0.1225, c.allocatedUsd(), 1e-9);
        assertEquals(0.0975, c.usedUsd(), 1e-9);
        assertEquals(0.025, c.wasteUsd(), 1e-9);
        assertEquals(0.10, c.cpuAllocatedUsd(), 1e-9);
        assertEquals(0.0225, c.memoryAllocatedUsd(), 1e-9);
        assertEquals("m5.large", c.instanceType());
        assertEquals("test", c.priceSource());
    }

    @Test
    void withoutARequestAllocatedIsUsed() {
        AttemptCost c = CostModel.cost(List.of(new CostModel.Interval(7200, 1.5, 4 * GIB)), 0, 0, PRICES);
        // 2 h × (1.5 × 0.04 + 4 × 0.005) = 2 × 0.08 = 0.16
        assertEquals(0.16, c.allocatedUsd(), 1e-9);
        assertEquals(0.16, c.usedUsd(), 1e-9);
        assertEquals(0, c.wasteUsd(), 1e-9);
    }

    @Test
    void noIntervalsCostNothing() {
        AttemptCost c = CostModel.cost(List.of(), 2, 8 * GIB, PRICES);
        assertEquals(0, c.allocatedUsd());
        assertEquals(0, c.usedUsd());
    }

    @Test
    void hostIdleIsHostCostLessAttemptAllocationsNeverNegative() {
        // 2 h of a $0.096/h host = 0.192; attempts allocated 0.1225 → idle 0.0695
        assertEquals(0.0695, CostModel.hostIdleUsd(7200, PRICES, 0.1225), 1e-9);
        assertEquals(0, CostModel.hostIdleUsd(3600, PRICES, 0.5), 1e-12);
    }

    @Test
    void realUnitPricesAddBackToTheInstancePrice() {
        // A task holding the whole m5.large (2 vCPU, 8 GiB) for an hour costs the instance-hour.
        UnitPrices p = PriceTable.builtIn().unitPrices("m5.large", 2, 8 * GIB);
        AttemptCost c = CostModel.cost(List.of(new CostModel.Interval(3600, 0.2, GIB)), 2, 8 * GIB, p);
        assertEquals(0.096, c.allocatedUsd(), 1e-7);
        assertEquals(0, CostModel.hostIdleUsd(3600, p, c.allocatedUsd()), 1e-7);
    }
}

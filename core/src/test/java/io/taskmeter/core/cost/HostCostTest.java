package io.taskmeter.core.cost;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class HostCostTest {
    @Test
    void idleIsHostCostLessWhatAttemptsWereAllocated() {
        PriceTable prices = PriceTable.builtIn();
        double hourly = prices.hourly("m5.large").orElseThrow();
        List<HostCost.Day> days = List.of(
                new HostCost.Day("h1", "2026-11-20", 0, 2 * 3_600_000L, "m5.large", 2, 8L << 30),
                new HostCost.Day("h1", "2026-11-21", 0, 3_600_000L, "m5.large", 2, 8L << 30));
        HostCost c = HostCost.compute(days, Map.of("h1", 0.05), prices).get(0);
        assertEquals(3.0, c.hours(), 1e-9);
        assertEquals(3 * hourly, c.hostUsd(), 1e-6);
        assertEquals(3 * hourly - 0.05, c.idleUsd(), 1e-6);
        HostCost over = HostCost.compute(days, Map.of("h1", 100.0), prices).get(0);
        assertEquals(0, over.idleUsd(), 1e-12, "never negative");
    }
}

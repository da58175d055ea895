package io.taskmeter.core.cost;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What a host cost while its shipper reported, what its attempts were allocated of it, and the idle rest: the
 * capacity paid for that no task had (DESIGN §7: host idle = host cost − Σ attempt costs).
 *
 * @param unattributedAttempts Airflow/Prefect attempts on this host that no orchestrator record describes (yet):
 *                             known only from the host's recognition; {@code unattributedUsd} is their allocated
 *                             cost, part of {@code attemptsAllocatedUsd}
 */
public record HostCost(String host, String instanceType, double hours, double hostUsd, double attemptsAllocatedUsd,
                       double idleUsd, String priceSource, int unattributedAttempts, double unattributedUsd) {

    /** One host's reporting span on one UTC day, from its first to its last batch. */
    public record Day(String host, String day, long firstMs, long lastMs, String instanceType, int cpus,
                      long memoryBytes) {
    }

    public static List<HostCost> compute(List<Day> days, Map<String, Double> allocatedByHost, PriceTable prices) {
        return compute(days, allocatedByHost, Map.of(), prices);
    }

    /** @param unattributedByHost per host: {attempts, allocated USD} of attempts without orchestrator metadata */
    public static List<HostCost> compute(List<Day> days, Map<String, Double> allocatedByHost,
                                         Map<String, double[]> unattributedByHost, PriceTable prices) {
        Map<String, double[]> hours = new java.util.TreeMap<>();
        Map<String, Day> shape = new java.util.HashMap<>();
        for (Day d : days) {
            hours.computeIfAbsent(d.host(), k -> new double[1])[0] += Math.max(0, d.lastMs() - d.firstMs()) / 3_600_000.0;
            shape.putIfAbsent(d.host(), d);
        }
        List<HostCost> out = new ArrayList<>();
        hours.forEach((host, h) -> {
            Day d = shape.get(host);
            UnitPrices p = prices.unitPrices(d.instanceType(), d.cpus(), d.memoryBytes());
            double hostUsd = h[0] * p.usdPerHour();
            double allocated = allocatedByHost.getOrDefault(host, 0.0);
            double[] unattributed = unattributedByHost.getOrDefault(host, new double[2]);
            out.add(new HostCost(host, p.instanceType(), round(h[0], 4), round(hostUsd, 6), round(allocated, 6),
                    round(CostModel.hostIdleUsd(h[0] * 3600, p, allocated), 6), p.source(), (int) unattributed[0],
                    round(unattributed[1], 6)));
        });
        return out;
    }

    private static double round(double v, int digits) {
        double f = Math.pow(10, digits);
        return Math.round(v * f) / f;
    }
}

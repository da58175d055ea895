package io.taskmeter.core.cost;

/**
 * What one vCPU-hour and one GiB-hour cost on a host, and where that came from.
 *
 * @param source e.g. "ec2 on-demand us-east-1", or "assumed m7i.large: set the instance type" when guessed
 */
public record UnitPrices(double usdPerVcpuHour, double usdPerGiBHour, double usdPerHour, String instanceType,
                         String source) {
}

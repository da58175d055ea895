package io.taskmeter.core.cost;

import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * vCPUs and memory of an EC2 instance type, derived from its name: the price table has prices, not shapes, and
 * the split into vCPU and GiB prices needs both.
 *
 * <p>An approximation (docs/algorithms.md §Instance shapes). The size gives vCPUs: large = 2, xlarge = 4,
 * Nxlarge = 4N, metal-Nxl = 4N; nano to medium = 1 outside the t family. The family letter gives GiB per vCPU:
 * c 2, m 4, r 8, x 16 (32 for the x..e.. types), z 8, i/d 8, h 4, g/inf/trn 4, p 8. Exact for the common
 * general, compute and memory families; a few GiB off for old generations, network-optimised and accelerated
 * types. A type this cannot read (plain metal, u-*, hpc*, unknown families) gives empty, and the caller uses the
 * host's own counts instead.
 */
public record InstanceShape(String instanceType, double vcpus, double memoryGiB) {
    private static final Pattern TYPE = Pattern.compile(
            "^([a-z]+)(\\d*)([a-z-]*)\\.(nano|micro|small|medium|large|xlarge|(\\d+)xlarge|metal-(\\d+)xl)$");
    /** Burstables have a fixed shape per size rather than GiB per vCPU: {vCPUs, GiB} of t3/t3a/t4g. */
    private static final Map<String, double[]> BURSTABLE = Map.of(
            "nano", new double[] {2, 0.5}, "micro", new double[] {2, 1}, "small", new double[] {2, 2},
            "medium", new double[] {2, 4}, "large", new double[] {2, 8}, "xlarge", new double[] {4, 16},
            "2xlarge", new double[] {8, 32});

    public static Optional<InstanceShape> of(String instanceType) {
        if (instanceType == null) {
            return Optional.empty();
        }
        Matcher m = TYPE.matcher(instanceType.strip().toLowerCase());
        if (!m.matches()) {
            return Optional.empty();
        }
        String family = m.group(1);
        String generation = m.group(2);
        String attributes = m.group(3);
        String size = m.group(4);
        if (family.equals("t")) {
            double[] shape = BURSTABLE.get(size);
            if (shape == null) {
                return Optional.empty();
            }
            // t1 and the small t2 sizes have one vCPU; every later burstable has two from nano up.
            boolean oneVcpu = generation.equals("1")
                    || generation.equals("2") && (size.equals("nano") || size.equals("micro") || size.equals("small"));
            return Optional.of(new InstanceShape(instanceType, oneVcpu ? 1 : shape[0], shape[1]));
        }
        double vcpus = switch (size) {
            case "nano", "micro", "small", "medium" -> 1;
            case "large" -> 2;
            case "xlarge" -> 4;
            default -> 4 * Double.parseDouble(m.group(5) != null ? m.group(5) : m.group(6));
        };
        double perVcpu = switch (family) {
            case "a", "c", "vt" -> 2;
            case "m", "g", "inf", "trn", "h", "im" -> 4;
            case "is" -> 6;
            case "r", "z", "i", "d", "p", "dl" -> 8;
            // x2iedn, x2iezn, x1e: the "e" types carry twice the memory of x2idn, x2gd, x8g.
            case "x" -> attributes.contains("e") ? 32 : 16;
            default -> -1;
        };
        if (perVcpu < 0) {
            return Optional.empty();
        }
        return Optional.of(new InstanceShape(instanceType, vcpus, vcpus * perVcpu));
    }
}

package io.taskmeter.core.cost;

import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * vCPUs and memory of an EC2 instance type, derived from its name: the price table has prices, not shapes.
 * Size gives vCPUs (large = 2, xlarge = 4, Nxlarge = 4N); family gives GiB per vCPU (c 2, m 4, r 8, x 16).
 * An approximation (docs/algorithms.md): exact for the common general, compute and memory families.
 */
public record InstanceShape(String instanceType, double vcpus, double memoryGiB) {
    private static final Pattern TYPE = Pattern.compile("^([a-z]+)(\\d*)([a-z-]*)\\.(nano|micro|small|medium|large|xlarge|(\\d+)xlarge)$");
    /** Burstable sizes: vCPUs and GiB are fixed per size, not per vCPU. */
    private static final Map<String, double[]> BURSTABLE = Map.of(
            "nano", new double[] {2, 0.5}, "micro", new double[] {2, 1}, "small", new double[] {2, 2},
            "medium", new double[] {2, 4}, "large", new double[] {2, 8}, "xlarge", new double[] {4, 16},
            "2xlarge", new double[] {8, 32});

    public static Optional<InstanceShape> of(String instanceType) {
        if (instanceType == null) {
            return Optional.empty();
        }
        Matcher m = TYPE.matcher(instanceType.toLowerCase());
        if (!m.matches()) {
            return Optional.empty();
        }
        String family = m.group(1);
        String size = m.group(4);
        if (family.equals("t")) {
            double[] shape = BURSTABLE.get(size);
            if (shape == null) {
                return Optional.empty();
            }
            boolean t2Small = m.group(2).equals("2") && (size.equals("nano") || size.equals("micro") || size.equals("small"));
            return Optional.of(new InstanceShape(instanceType, t2Small ? 1 : shape[0], shape[1]));
        }
        double vcpus = switch (size) {
            case "nano", "micro", "small", "medium" -> 1;
            case "large" -> 2;
            case "xlarge" -> 4;
            default -> 4 * Double.parseDouble(m.group(5));
        };
        double perVcpu = switch (family) {
            case "c" -> 2;
            case "m", "a", "g", "p", "inf", "trn", "dl", "vt", "mac" -> 4;
            case "r", "z", "i", "d", "h", "im", "is" -> 8;
            case "x" -> 16;
            case "u" -> 27;
            default -> -1;
        };
        if (perVcpu < 0) {
            return Optional.empty();
        }
        return Optional.of(new InstanceShape(instanceType, vcpus, vcpus * perVcpu));
    }
}

package io.taskmeter.core.cost;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * EC2 on-demand Linux prices per instance-hour (the bundled us-east-1 table, or one the user configures), split
 * into vCPU and memory prices the way OpenCost does (docs/algorithms.md).
 */
public final class PriceTable {
    /** OpenCost's default ratio of a vCPU-hour to a GiB-hour: 0.031611 / 0.004237. */
    public static final double CPU_TO_RAM_RATIO = 0.031611 / 0.004237;
    static final String BUILT_IN = "ec2-ondemand-prices.csv";

    private final Map<String, Double> hourly;
    private final String source;

    private PriceTable(Map<String, Double> hourly, String source) {
        this.hourly = hourly;
        this.source = source;
    }

    public static PriceTable builtIn() {
        try (InputStream in = PriceTable.class.getResourceAsStream(BUILT_IN)) {
            if (in == null) {
                throw new IllegalStateException("price table " + BUILT_IN + " missing from the classpath");
            }
            return fromCsv(new InputStreamReader(in, StandardCharsets.UTF_8), "ec2 on-demand us-east-1");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Columns region,instance_type,usd_per_hour; '#' lines and the header are skipped. */
    public static PriceTable fromCsv(Reader csv, String source) throws IOException {
        Map<String, Double> prices = new HashMap<>();
        BufferedReader reader = new BufferedReader(csv);
        for (String line; (line = reader.readLine()) != null; ) {
            if (line.isBlank() || line.startsWith("#") || line.startsWith("region,")) {
                continue;
            }
            String[] f = line.split(",", -1);
            if (f.length >= 3 && f[2].isBlank()) {
                // A row without a price (the bundled table has one, "us-east-1,us-east-1,"): nothing to price.
                continue;
            }
            if (f.length < 3) {
                throw new IOException("price line '" + line + "' is not region,instance_type,usd_per_hour");
            }
            try {
                prices.put(f[1].strip(), Double.parseDouble(f[2].strip()));
            } catch (NumberFormatException e) {
                throw new IOException("price line '" + line + "' has no number in usd_per_hour", e);
            }
        }
        return new PriceTable(Map.copyOf(prices), source);
    }

    public OptionalDouble hourly(String instanceType) {
        Double p = instanceType == null ? null : hourly.get(instanceType);
        return p == null ? OptionalDouble.empty() : OptionalDouble.of(p);
    }

    /**
     * Prices of the host's instance type when it is known and priced; otherwise of the general-purpose m7i size
     * with at least the host's vCPUs, and the source says so.
     */
    public UnitPrices unitPrices(String instanceType, int hostCpus, long hostMemoryBytes) {
        if (instanceType != null && hourly.containsKey(instanceType)) {
            var shape = InstanceShape.of(instanceType);
            double vcpus = shape.map(InstanceShape::vcpus).orElse((double) hostCpus);
            double gib = shape.map(InstanceShape::memoryGiB).orElse(hostMemoryBytes / (double) (1L << 30));
            return split(instanceType, hourly.get(instanceType), vcpus, gib, source);
        }
        String assumed = assumedType(hostCpus);
        InstanceShape shape = InstanceShape.of(assumed).orElseThrow();
        String why = instanceType == null ? "instance type unknown" : "no price for " + instanceType;
        return split(assumed, hourly.getOrDefault(assumed, 0.0), shape.vcpus(), shape.memoryGiB(),
                "assumed " + assumed + " (" + why + "): set the instance type");
    }

    private String assumedType(int cpus) {
        String[] sizes = {"large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "24xlarge", "48xlarge"};
        for (String size : sizes) {
            String type = "m7i." + size;
            if (InstanceShape.of(type).orElseThrow().vcpus() >= cpus && hourly.containsKey(type)) {
                return type;
            }
        }
        return "m7i.48xlarge";
    }

    static UnitPrices split(String type, double perHour, double vcpus, double gib, String source) {
        double ram = perHour / (vcpus * CPU_TO_RAM_RATIO + gib);
        return new UnitPrices(ram * CPU_TO_RAM_RATIO, ram, perHour, type, source);
    }
}

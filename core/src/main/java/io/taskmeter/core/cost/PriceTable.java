package io.taskmeter.core.cost;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
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
    public static final String DEFAULT_REGION = "us-east-1";
    /** Families to assume for a host of unknown type, in order: current general purpose (Intel) first. */
    static final List<String> ASSUMED_FAMILIES = List.of("m7i", "m6i", "m5", "m7a", "m6a", "m5a");
    private static final List<String> SIZES = List.of("large", "xlarge", "2xlarge", "4xlarge", "8xlarge",
            "12xlarge", "16xlarge", "24xlarge", "32xlarge", "48xlarge");
    private static final double GIB = 1L << 30;

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
            return fromCsv(new InputStreamReader(in, StandardCharsets.UTF_8), DEFAULT_REGION,
                    "ec2 on-demand " + DEFAULT_REGION);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Configured prices for {@value #DEFAULT_REGION}. */
    public static PriceTable fromCsv(Reader csv) throws IOException {
        return fromCsv(csv, DEFAULT_REGION, "configured prices " + DEFAULT_REGION);
    }

    public static PriceTable fromCsv(Reader csv, String source) throws IOException {
        return fromCsv(csv, DEFAULT_REGION, source);
    }

    /**
     * Columns region,instance_type,usd_per_hour; '#' lines, blank lines and the header are skipped, and so are
     * rows of other regions: one table prices one region, so a file may carry several.
     */
    public static PriceTable fromCsv(Reader csv, String region, String source) throws IOException {
        Map<String, Double> prices = new HashMap<>();
        BufferedReader reader = new BufferedReader(csv);
        for (String line; (line = reader.readLine()) != null; ) {
            if (line.isBlank() || line.startsWith("#") || line.startsWith("region,")) {
                continue;
            }
            String[] f = line.split(",", -1);
            if (f.length < 3) {
                throw new IOException("price line '" + line + "' is not region,instance_type,usd_per_hour");
            }
            if (!f[0].strip().equals(region) || f[2].isBlank()) {
                // Another region, or a row without a price (the bundled table has one, "us-east-1,us-east-1,").
                continue;
            }
            double perHour;
            try {
                perHour = Double.parseDouble(f[2].strip());
            } catch (NumberFormatException e) {
                throw new IOException("price line '" + line + "' has no number in usd_per_hour", e);
            }
            if (!(perHour >= 0) || Double.isInfinite(perHour)) {
                throw new IOException("price line '" + line + "' has a negative or infinite usd_per_hour");
            }
            prices.put(f[1].strip(), perHour);
        }
        return new PriceTable(Map.copyOf(prices), source);
    }

    public OptionalDouble hourly(String instanceType) {
        Double p = instanceType == null ? null : hourly.get(instanceType.strip());
        return p == null ? OptionalDouble.empty() : OptionalDouble.of(p);
    }

    /**
     * Prices of the host's instance type when it is known and priced, split by the type's own shape (by the
     * host's counts when the name cannot be read, e.g. metal). Otherwise the host is priced as the smallest
     * general-purpose size with at least its vCPUs (m7i, else the next family in {@link #ASSUMED_FAMILIES} the
     * table prices), and the source says so: the user should set the instance type.
     */
    public UnitPrices unitPrices(String instanceType, int hostCpus, long hostMemoryBytes) {
        String type = instanceType == null ? null : instanceType.strip();
        OptionalDouble own = hourly(type);
        if (own.isPresent()) {
            var shape = InstanceShape.of(type);
            double vcpus = shape.map(InstanceShape::vcpus).orElse((double) hostCpus);
            double gib = shape.map(InstanceShape::memoryGiB).orElse(hostMemoryBytes / GIB);
            if (vcpus > 0 || gib > 0) {
                return split(type, own.getAsDouble(), vcpus, gib, source);
            }
        }
        String why = type == null || type.isEmpty() ? "instance type unknown"
                : own.isPresent() ? "no shape for " + type : "no price for " + type;
        String assumed = assumedType(hostCpus);
        if (assumed == null) {
            // Nothing general-purpose is priced (a configured table of other families): cost shows as zero
            // rather than as a number made up from nothing.
            return new UnitPrices(0, 0, 0, type, "unpriced (" + why + "): set the instance type or add its price");
        }
        InstanceShape shape = InstanceShape.of(assumed).orElseThrow();
        return split(assumed, hourly.get(assumed), shape.vcpus(), shape.memoryGiB(),
                "assumed " + assumed + " (" + why + "): set the instance type");
    }

    /** Smallest priced size with at least {@code cpus} vCPUs in the first family priced; the largest if none. */
    private String assumedType(int cpus) {
        for (String family : ASSUMED_FAMILIES) {
            String largest = null;
            for (String size : SIZES) {
                String type = family + "." + size;
                if (!hourly.containsKey(type)) {
                    continue;
                }
                if (InstanceShape.of(type).orElseThrow().vcpus() >= cpus) {
                    return type;
                }
                largest = type;
            }
            if (largest != null) {
                return largest;
            }
        }
        return null;
    }

    static UnitPrices split(String type, double perHour, double vcpus, double gib, String source) {
        double ram = perHour / (vcpus * CPU_TO_RAM_RATIO + gib);
        return new UnitPrices(ram * CPU_TO_RAM_RATIO, ram, perHour, type, source);
    }
}

package io.taskmeter.core.report;

import java.util.Locale;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/** Resource requests as users and Kubernetes write them: "500m" or "1.5" cores, "512Mi", "2G", "1073741824". */
public final class Quantities {
    private Quantities() {
    }

    public static OptionalDouble cpus(String s) {
        if (s == null || s.isBlank()) {
            return OptionalDouble.empty();
        }
        String v = s.strip();
        try {
            double cores = v.endsWith("m") ? Double.parseDouble(v.substring(0, v.length() - 1)) / 1000.0
                    : Double.parseDouble(v);
            return cores > 0 ? OptionalDouble.of(cores) : OptionalDouble.empty();
        } catch (NumberFormatException e) {
            return OptionalDouble.empty();
        }
    }

    public static OptionalLong bytes(String s) {
        if (s == null || s.isBlank()) {
            return OptionalLong.empty();
        }
        String v = s.strip();
        String[][] units = {{"Ki", "1024"}, {"Mi", "1048576"}, {"Gi", "1073741824"}, {"Ti", "1099511627776"},
                {"K", "1000"}, {"M", "1000000"}, {"G", "1000000000"}, {"T", "1000000000000"}};
        try {
            for (String[] u : units) {
                if (v.toLowerCase(Locale.ROOT).endsWith(u[0].toLowerCase(Locale.ROOT))
                        && (u[0].length() == 2 || Character.isDigit(v.charAt(v.length() - 2)))) {
                    double n = Double.parseDouble(v.substring(0, v.length() - u[0].length()).strip());
                    return OptionalLong.of((long) (n * Long.parseLong(u[1])));
                }
            }
            long n = (long) Double.parseDouble(v);
            return n > 0 ? OptionalLong.of(n) : OptionalLong.empty();
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }
}

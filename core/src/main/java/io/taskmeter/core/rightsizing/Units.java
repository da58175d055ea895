package io.taskmeter.core.rightsizing;

import java.math.BigDecimal;
import java.math.RoundingMode;

/** Numbers as a user reads them in an explanation: no trailing zeros, MiB below a GiB, GiB from there. */
final class Units {
    private static final double MIB = 1L << 20;
    private static final double GIB = 1L << 30;

    private Units() {
    }

    static String number(double v, int maxDecimals) {
        if (!Double.isFinite(v)) {
            return String.valueOf(v);
        }
        BigDecimal d = BigDecimal.valueOf(v).setScale(maxDecimals, RoundingMode.HALF_UP).stripTrailingZeros();
        return d.scale() < 0 ? d.setScale(0).toPlainString() : d.toPlainString();
    }

    static String cores(double v, int maxDecimals) {
        String n = number(v, maxDecimals);
        return n + (n.equals("1") ? " core" : " cores");
    }

    static String bytes(long b) {
        return b < GIB ? number(b / MIB, 0) + " MiB" : number(b / GIB, 2) + " GiB";
    }
}

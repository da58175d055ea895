package io.taskmeter.core.usage;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.taskmeter.core.batch.BatchCodec;

/**
 * A unit's sampling intervals within a batch, stored as one compact JSON string (a DynamoDB list of numbers costs
 * several times the bytes). Arrays of equal length, one entry per interval.
 *
 * @param s    length, seconds
 * @param c    CPU, cores
 * @param m    resident memory at the interval's end, bytes
 * @param t    the interval's end, epoch ms
 * @param io   bytes moved by read/write calls and the block layer (any I/O progress)
 * @param disk block-layer bytes read and written (disk progress)
 * @param d    processes in uninterruptible (D) state at the interval's end
 * @param dw   (1.1) process-seconds the tree spent in D state during the interval (state sampling)
 * @param pc   (1.1) the host's CPU pressure: share of the interval some task waited for a CPU (PSI cpu some);
 *             {@link #UNKNOWN} where the host did not say
 * @param pio  (1.1) the host's I/O pressure (PSI io some share), or {@link #UNKNOWN}
 * @param st   (1.1) the host's CPU steal share, or {@link #UNKNOWN}
 * @param rq   (1.1) runnable tasks per CPU on the host at the interval's end (the shipper's own reading thread
 *             not counted), or {@link #UNKNOWN}
 */
public record Intervals(double[] s, double[] c, long[] m, long[] t, long[] io, long[] disk, int[] d, double[] dw,
                        double[] pc, double[] pio, double[] st, double[] rq) {
    /** A host figure that batch format 1.0, or a kernel without PSI, did not provide. */
    public static final double UNKNOWN = -1;

    /** The fields of batch format 1.0. */
    public Intervals(double[] s, double[] c, long[] m, long[] t, long[] io, long[] disk, int[] d) {
        this(s, c, m, t, io, disk, d, null, null, null, null, null);
    }

    /** Slices stored before t/io/disk/d (or the 1.1 arrays) existed read as having no such data, not as broken. */
    public Intervals {
        int n = c == null ? 0 : c.length;
        dw = dw == null ? new double[n] : dw;
        pc = pc == null ? unknown(n) : pc;
        pio = pio == null ? unknown(n) : pio;
        st = st == null ? unknown(n) : st;
        rq = rq == null ? unknown(n) : rq;
        s = s == null ? new double[n] : s;
        c = c == null ? new double[0] : c;
        m = m == null ? new long[n] : m;
        t = t == null ? new long[n] : t;
        io = io == null ? new long[n] : io;
        disk = disk == null ? new long[n] : disk;
        d = d == null ? new int[n] : d;
    }

    private static double[] unknown(int n) {
        double[] a = new double[n];
        java.util.Arrays.fill(a, UNKNOWN);
        return a;
    }

    public int size() {
        return c.length;
    }

    public String toJson() {
        try {
            return BatchCodec.json().writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static Intervals fromJson(String json) {
        if (json == null) {
            return new Intervals(null, null, null, null, null, null, null);
        }
        try {
            return BatchCodec.json().readValue(json, Intervals.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored intervals are not valid JSON: " + e.getOriginalMessage(), e);
        }
    }
}

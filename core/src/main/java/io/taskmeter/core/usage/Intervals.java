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
 */
public record Intervals(double[] s, double[] c, long[] m, long[] t, long[] io, long[] disk, int[] d) {

    /** Slices stored before t/io/disk/d existed read as having no such data, not as broken. */
    public Intervals {
        int n = c == null ? 0 : c.length;
        s = s == null ? new double[n] : s;
        c = c == null ? new double[0] : c;
        m = m == null ? new long[n] : m;
        t = t == null ? new long[n] : t;
        io = io == null ? new long[n] : io;
        disk = disk == null ? new long[n] : disk;
        d = d == null ? new int[n] : d;
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

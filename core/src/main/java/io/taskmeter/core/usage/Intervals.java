package io.taskmeter.core.usage;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.taskmeter.core.batch.BatchCodec;

/**
 * Per-interval length, CPU cores and resident memory of a unit within a batch, stored as one compact JSON string
 * (a DynamoDB list of numbers costs several times the bytes).
 */
public record Intervals(double[] s, double[] c, long[] m) {

    public String toJson() {
        try {
            return BatchCodec.json().writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static Intervals fromJson(String json) {
        if (json == null) {
            return new Intervals(new double[0], new double[0], new long[0]);
        }
        try {
            return BatchCodec.json().readValue(json, Intervals.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored intervals are not valid JSON: " + e.getOriginalMessage(), e);
        }
    }
}

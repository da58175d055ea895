package io.taskmeter.aws;

import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.util.Map;

/** Reading and writing DynamoDB attribute values without noise at every call site. */
public final class Items {
    private Items() {
    }

    public static AttributeValue s(String v) {
        return AttributeValue.fromS(v);
    }

    public static AttributeValue n(long v) {
        return AttributeValue.fromN(Long.toString(v));
    }

    public static AttributeValue n(double v) {
        return AttributeValue.fromN(Double.toString(v));
    }

    public static String str(Map<String, AttributeValue> item, String name) {
        AttributeValue v = item.get(name);
        return v == null ? null : v.s();
    }

    public static long num(Map<String, AttributeValue> item, String name, long fallback) {
        AttributeValue v = item.get(name);
        return v == null || v.n() == null ? fallback : (long) Double.parseDouble(v.n());
    }

    public static double dbl(Map<String, AttributeValue> item, String name) {
        AttributeValue v = item.get(name);
        return v == null || v.n() == null ? 0 : Double.parseDouble(v.n());
    }

    public static Map<String, AttributeValue> key(String pk, String sk) {
        return Map.of("pk", s(pk), "sk", s(sk));
    }
}

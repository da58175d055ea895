package io.taskmeter.aws;

import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.SdkResponse;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttribute;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.ConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemResponse;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;
import software.amazon.awssdk.services.dynamodb.model.TransactGetItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactGetItemsResponse;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsResponse;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemResponse;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the AWS calls of a client would be billed for: requests per service and operation, and for DynamoDB the
 * read and write units it reports (every data request is sent with {@code ReturnConsumedCapacity=TOTAL}, which
 * is taken off the response again unless the caller asked for it, so callers see what they would have seen) and
 * the bytes of the items put. Add it to a client's override configuration; safe to share between clients and
 * threads.
 */
public final class AwsUsageMeter implements ExecutionInterceptor {
    /** A write whose condition failed is still billed; its item size is not returned, so one unit is counted. */
    static final double FAILED_CONDITIONAL_WRITE_UNITS = 1.0;

    private final Map<String, LongAdder> requests = new ConcurrentHashMap<>();
    private final Map<String, DoubleAdder> readUnits = new ConcurrentHashMap<>();
    private final Map<String, DoubleAdder> writeUnits = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> bytesPut = new ConcurrentHashMap<>();
    private final Map<String, DoubleAdder> unitsByOperation = new ConcurrentHashMap<>();
    private final LongAdder failedConditionalWrites = new LongAdder();
    private final LongAdder responsesWithoutCapacity = new LongAdder();

    /** Set when the meter asked for the capacity, so the caller gets the response it would have got. */
    private static final ExecutionAttribute<Boolean> ASKED = new ExecutionAttribute<>("taskmeter.meter.asked");

    @Override
    public SdkRequest modifyRequest(Context.ModifyRequest context, ExecutionAttributes attributes) {
        SdkRequest modified = withCapacity(context.request());
        if (modified != context.request()) {
            attributes.putAttribute(ASKED, true);
        }
        return modified;
    }

    private SdkRequest withCapacity(SdkRequest r) {
        ReturnConsumedCapacity total = ReturnConsumedCapacity.TOTAL;
        if (r instanceof PutItemRequest p && p.returnConsumedCapacity() == null) {
            bytesPut.computeIfAbsent(p.tableName(), k -> new LongAdder()).add(itemBytes(p.item()));
            return p.toBuilder().returnConsumedCapacity(total).build();
        }
        if (r instanceof UpdateItemRequest u && u.returnConsumedCapacity() == null) {
            return u.toBuilder().returnConsumedCapacity(total).build();
        }
        if (r instanceof DeleteItemRequest d && d.returnConsumedCapacity() == null) {
            return d.toBuilder().returnConsumedCapacity(total).build();
        }
        if (r instanceof GetItemRequest g && g.returnConsumedCapacity() == null) {
            return g.toBuilder().returnConsumedCapacity(total).build();
        }
        if (r instanceof QueryRequest q && q.returnConsumedCapacity() == null) {
            return q.toBuilder().returnConsumedCapacity(total).build();
        }
        if (r instanceof ScanRequest s && s.returnConsumedCapacity() == null) {
            return s.toBuilder().returnConsumedCapacity(total).build();
        }
        if (r instanceof BatchGetItemRequest b && b.returnConsumedCapacity() == null) {
            return b.toBuilder().returnConsumedCapacity(total).build();
        }
        if (r instanceof BatchWriteItemRequest b && b.returnConsumedCapacity() == null) {
            return b.toBuilder().returnConsumedCapacity(total).build();
        }
        if (r instanceof TransactWriteItemsRequest t && t.returnConsumedCapacity() == null) {
            return t.toBuilder().returnConsumedCapacity(total).build();
        }
        if (r instanceof TransactGetItemsRequest t && t.returnConsumedCapacity() == null) {
            return t.toBuilder().returnConsumedCapacity(total).build();
        }
        return r;
    }

    @Override
    public SdkResponse modifyResponse(Context.ModifyResponse context, ExecutionAttributes attributes) {
        requests.computeIfAbsent(operation(attributes), k -> new LongAdder()).increment();
        List<ConsumedCapacity> consumed = consumed(context.response());
        if (consumed == null) {
            return context.response();
        }
        account(context.request(), consumed, operation(attributes));
        return Boolean.TRUE.equals(attributes.getAttribute(ASKED)) ? withoutCapacity(context.response())
                : context.response();
    }

    private void account(SdkRequest request, List<ConsumedCapacity> consumed, String operation) {
        if (consumed.isEmpty()) {
            responsesWithoutCapacity.increment();
        }
        boolean read = request instanceof GetItemRequest || request instanceof QueryRequest
                || request instanceof ScanRequest || request instanceof BatchGetItemRequest
                || request instanceof TransactGetItemsRequest;
        for (ConsumedCapacity c : consumed) {
            double units = c.capacityUnits() != null ? c.capacityUnits()
                    : (read ? nz(c.readCapacityUnits()) : nz(c.writeCapacityUnits()));
            (read ? readUnits : writeUnits).computeIfAbsent(c.tableName(), k -> new DoubleAdder()).add(units);
            unitsByOperation.computeIfAbsent(c.tableName() + " " + operation, k -> new DoubleAdder()).add(units);
        }
    }

    @Override
    public void onExecutionFailure(Context.FailedExecution context, ExecutionAttributes attributes) {
        requests.computeIfAbsent(operation(attributes), k -> new LongAdder()).increment();
        if (context.exception() instanceof software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException) {
            failedConditionalWrites.increment();
            String table = context.request() instanceof PutItemRequest p ? p.tableName()
                    : context.request() instanceof UpdateItemRequest u ? u.tableName()
                    : context.request() instanceof DeleteItemRequest d ? d.tableName() : "?";
            writeUnits.computeIfAbsent(table, k -> new DoubleAdder()).add(FAILED_CONDITIONAL_WRITE_UNITS);
            unitsByOperation.computeIfAbsent(table + " " + operation(attributes) + " (condition failed)",
                    k -> new DoubleAdder()).add(FAILED_CONDITIONAL_WRITE_UNITS);
        }
    }

    /** The counts so far, fixed. */
    public record Snapshot(Map<String, Long> requests, Map<String, Double> readUnits, Map<String, Double> writeUnits,
                           Map<String, Double> unitsByOperation, Map<String, Long> bytesPut,
                           long failedConditionalWrites, long responsesWithoutCapacity) {
        public long requests(String serviceOperation) {
            return requests.getOrDefault(serviceOperation, 0L);
        }

        public double totalReadUnits() {
            return readUnits.values().stream().mapToDouble(Double::doubleValue).sum();
        }

        public double totalWriteUnits() {
            return writeUnits.values().stream().mapToDouble(Double::doubleValue).sum();
        }

        public long totalBytesPut() {
            return bytesPut.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    public Snapshot snapshot() {
        return new Snapshot(requests(), readUnits(), writeUnits(), sums(unitsByOperation), bytesPut(),
                failedConditionalWrites(),
                responsesWithoutCapacity());
    }

    /** Requests so far, keyed {@code Service.Operation} (e.g. {@code DynamoDb.PutItem}, {@code S3.GetObject}). */
    public Map<String, Long> requests() {
        Map<String, Long> out = new TreeMap<>();
        requests.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    public long requests(String serviceOperation) {
        LongAdder a = requests.get(serviceOperation);
        return a == null ? 0 : a.sum();
    }

    /** DynamoDB read request units per table, as DynamoDB reported them. */
    public Map<String, Double> readUnits() {
        return sums(readUnits);
    }

    /** DynamoDB write request units per table, as reported, plus one per failed conditional write. */
    public Map<String, Double> writeUnits() {
        return sums(writeUnits);
    }

    /** Bytes of the items put, per table, by DynamoDB's item size rules (what storage is billed on). */
    public Map<String, Long> bytesPut() {
        Map<String, Long> out = new TreeMap<>();
        bytesPut.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    public long failedConditionalWrites() {
        return failedConditionalWrites.sum();
    }

    /** Responses that should have carried capacity and did not (a stand-in that does not report it). */
    public long responsesWithoutCapacity() {
        return responsesWithoutCapacity.sum();
    }

    /**
     * An item's size as DynamoDB counts it: attribute names plus values (strings as UTF-8, numbers about one byte
     * per two digits plus one, maps and lists 3 bytes plus their elements, each element 1 byte more).
     */
    public static long itemBytes(Map<String, AttributeValue> item) {
        long n = 0;
        for (Map.Entry<String, AttributeValue> e : item.entrySet()) {
            n += utf8(e.getKey()) + valueBytes(e.getValue());
        }
        return n;
    }

    private static long valueBytes(AttributeValue v) {
        if (v.s() != null) {
            return utf8(v.s());
        }
        if (v.n() != null) {
            String digits = v.n().replaceAll("[^0-9]", "").replaceFirst("^0+", "");
            return (digits.length() + 1) / 2 + 1;
        }
        if (v.bool() != null || Boolean.TRUE.equals(v.nul())) {
            return 1;
        }
        if (v.b() != null) {
            return v.b().asByteArray().length;
        }
        if (v.hasM()) {
            long n = 3;
            for (Map.Entry<String, AttributeValue> e : v.m().entrySet()) {
                n += 1 + utf8(e.getKey()) + valueBytes(e.getValue());
            }
            return n;
        }
        if (v.hasL()) {
            long n = 3;
            for (AttributeValue e : v.l()) {
                n += 1 + valueBytes(e);
            }
            return n;
        }
        if (v.hasSs()) {
            return v.ss().stream().mapToLong(AwsUsageMeter::utf8).sum();
        }
        return 0;
    }

    private static long utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    private static String operation(ExecutionAttributes attributes) {
        return attributes.getAttribute(SdkExecutionAttribute.SERVICE_NAME) + "."
                + attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
    }

    private static double nz(Double d) {
        return d == null ? 0 : d;
    }

    private static Map<String, Double> sums(Map<String, DoubleAdder> m) {
        Map<String, Double> out = new TreeMap<>();
        m.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    /** The consumed capacity a DynamoDB data response carries; null for any other response. */
    private static List<ConsumedCapacity> consumed(SdkResponse r) {
        if (r instanceof PutItemResponse p) {
            return one(p.consumedCapacity());
        }
        if (r instanceof UpdateItemResponse u) {
            return one(u.consumedCapacity());
        }
        if (r instanceof DeleteItemResponse d) {
            return one(d.consumedCapacity());
        }
        if (r instanceof GetItemResponse g) {
            return one(g.consumedCapacity());
        }
        if (r instanceof QueryResponse q) {
            return one(q.consumedCapacity());
        }
        if (r instanceof ScanResponse s) {
            return one(s.consumedCapacity());
        }
        if (r instanceof BatchGetItemResponse b) {
            return b.consumedCapacity();
        }
        if (r instanceof BatchWriteItemResponse b) {
            return b.consumedCapacity();
        }
        if (r instanceof TransactWriteItemsResponse t) {
            return t.consumedCapacity();
        }
        if (r instanceof TransactGetItemsResponse t) {
            return t.consumedCapacity();
        }
        return null;
    }

    private static SdkResponse withoutCapacity(SdkResponse r) {
        if (r instanceof PutItemResponse p) {
            return p.toBuilder().consumedCapacity((ConsumedCapacity) null).build();
        }
        if (r instanceof UpdateItemResponse u) {
            return u.toBuilder().consumedCapacity((ConsumedCapacity) null).build();
        }
        if (r instanceof DeleteItemResponse d) {
            return d.toBuilder().consumedCapacity((ConsumedCapacity) null).build();
        }
        if (r instanceof GetItemResponse g) {
            return g.toBuilder().consumedCapacity((ConsumedCapacity) null).build();
        }
        if (r instanceof QueryResponse q) {
            return q.toBuilder().consumedCapacity((ConsumedCapacity) null).build();
        }
        if (r instanceof ScanResponse s) {
            return s.toBuilder().consumedCapacity((ConsumedCapacity) null).build();
        }
        if (r instanceof BatchGetItemResponse b) {
            return b.toBuilder().consumedCapacity((java.util.Collection<ConsumedCapacity>) null).build();
        }
        if (r instanceof BatchWriteItemResponse b) {
            return b.toBuilder().consumedCapacity((java.util.Collection<ConsumedCapacity>) null).build();
        }
        if (r instanceof TransactWriteItemsResponse t) {
            return t.toBuilder().consumedCapacity((java.util.Collection<ConsumedCapacity>) null).build();
        }
        if (r instanceof TransactGetItemsResponse t) {
            return t.toBuilder().consumedCapacity((java.util.Collection<ConsumedCapacity>) null).build();
        }
        return r;
    }

    private static List<ConsumedCapacity> one(ConsumedCapacity c) {
        return c == null ? List.of() : List.of(c);
    }
}

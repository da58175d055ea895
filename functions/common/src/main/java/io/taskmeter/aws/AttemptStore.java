package io.taskmeter.aws;

import io.taskmeter.core.usage.UsageSlice;
import io.taskmeter.core.attribution.AttemptIdentity;
import io.taskmeter.core.identity.Tags;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.taskmeter.aws.Items.n;
import static io.taskmeter.aws.Items.s;
import static io.taskmeter.aws.Items.str;

/**
 * Attempts and the unit usage attributed to them. An attempt is one partition: a META item with its identity,
 * and one contribution item per unit and batch. Totals are sums over contributions, taken when read, so a
 * duplicate or reordered delivery cannot double count: each contribution is written once, conditionally.
 */
public final class AttemptStore {
    private final DynamoDbClient ddb;
    private final String table;

    public AttemptStore(DynamoDbClient ddb, String table) {
        this.ddb = ddb;
        this.table = table;
    }

    public static String attemptKey(String attemptId) {
        return "A#" + attemptId;
    }

    /** @return false when this contribution was already recorded */
    public boolean record(AttemptIdentity id, UsageSlice usage) {
        String pk = attemptKey(id.attemptId());
        updateMeta(pk, id, usage);
        try {
            ddb.putItem(b -> b.tableName(table).item(UsageItems.toItem(usage, pk, "C#" + usage.unitId() + "#" + usage.batchId()))
                    .conditionExpression("attribute_not_exists(pk)"));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    /**
     * Identity fields are set once, when first known: tags only ever add knowledge, never change it. How the
     * attempt was recognised, and the confidence, keep the most confident value seen, whatever the order.
     */
    private void updateMeta(String pk, AttemptIdentity id, UsageSlice usage) {
        Map<String, AttributeValue> values = new LinkedHashMap<>();
        values.put("orchestrator", s(id.orchestrator()));
        putIf(values, "dag_or_flow", id.group());
        putIf(values, "task", id.task());
        putIf(values, "run", id.run());
        putIf(values, "try_number", id.tryNumber());
        values.put("map_index", n(id.mapIndex()));
        values.put("how", s(id.how()));
        values.put("confidence", n(id.confidence()));
        values.put("host_id", s(usage.hostId()));
        putIf(values, "cpu_request", usage.tags().get(Tags.CPU_REQUEST));
        putIf(values, "memory_request", usage.tags().get(Tags.MEMORY_REQUEST));
        putIf(values, "ti_id", usage.tags().get(Tags.TI_ID));
        putIf(values, "command", usage.command());
        StringBuilder expr = new StringBuilder("SET ");
        Map<String, AttributeValue> params = new HashMap<>();
        Map<String, String> names = new HashMap<>();
        int i = 0;
        for (Map.Entry<String, AttributeValue> e : values.entrySet()) {
            if (i > 0) {
                expr.append(", ");
            }
            expr.append("#f").append(i).append(" = if_not_exists(#f").append(i).append(", :v").append(i).append(')');
            names.put("#f" + i, e.getKey());
            params.put(":v" + i, e.getValue());
            i++;
        }
        expr.append(" ADD unit_ids :unit");
        params.put(":unit", AttributeValue.fromSs(List.of(usage.unitId())));
        Map<String, AttributeValue> stored = ddb.updateItem(b -> b.tableName(table).key(Items.key(pk, "META"))
                .updateExpression(expr.toString()).expressionAttributeNames(names).expressionAttributeValues(params)
                .returnValues(ReturnValue.ALL_NEW)).attributes();
        strengthenAttribution(pk, id, stored);
    }

    /**
     * How an attempt was recognised grows more certain over its life ("title", then "title+env" once a child's
     * environment is seen), and batches arrive in any order: keep the most confident attribution (ties broken by
     * name), so every order of delivery leaves the same META. The update that set the other fields returned
     * what is stored; only an attribution that beats it costs a second, conditional write.
     */
    private void strengthenAttribution(String pk, AttemptIdentity id, Map<String, AttributeValue> stored) {
        double storedConfidence = Items.dbl(stored, "confidence");
        String storedHow = str(stored, "how");
        boolean better = id.confidence() > storedConfidence
                || id.confidence() == storedConfidence && storedHow != null && id.how().compareTo(storedHow) > 0;
        if (!better) {
            return;
        }
        try {
            ddb.updateItem(b -> b.tableName(table).key(Items.key(pk, "META"))
                    .updateExpression("SET #how = :how, confidence = :c")
                    .conditionExpression("confidence < :c OR (confidence = :c AND #how < :how)")
                    .expressionAttributeNames(Map.of("#how", "how"))
                    .expressionAttributeValues(Map.of(":how", s(id.how()), ":c", n(id.confidence()))));
        } catch (ConditionalCheckFailedException e) {
            // a concurrent delivery stored an attribution at least as good
        }
    }

    private static void putIf(Map<String, AttributeValue> values, String name, String value) {
        if (value != null) {
            values.put(name, s(value));
        }
    }

    /**
     * An attempt as stored: its META item, its contributions, and the orchestrator records that name it
     * directly.
     */
    public record StoredAttempt(String attemptId, Map<String, AttributeValue> meta, List<UsageSlice> contributions,
                                List<io.taskmeter.core.metadata.AttachedRecord> records) {
        public String field(String name) {
            return meta == null ? null : str(meta, name);
        }
    }

    /** The usage slices of one attempt (a query of its partition). */
    public List<UsageSlice> contributions(String attemptId) {
        List<UsageSlice> out = new ArrayList<>();
        var pages = ddb.queryPaginator(b -> b.tableName(table).keyConditionExpression("pk = :pk AND begins_with(sk, :c)")
                .expressionAttributeValues(Map.of(":pk", s(attemptKey(attemptId)), ":c", s("C#"))).consistentRead(true));
        for (var page : pages) {
            page.items().forEach(item -> out.add(UsageItems.fromItem(item)));
        }
        return out;
    }

    /**
     * Every attempt, one at a time, from a scan: DynamoDB returns a partition's items together and in sort-key
     * order, so an attempt is complete when the next partition starts. Memory holds one attempt, not the table.
     */
    public void forEach(java.util.function.Consumer<StoredAttempt> sink) {
        String current = null;
        Map<String, AttributeValue> meta = null;
        List<UsageSlice> slices = new ArrayList<>();
        List<io.taskmeter.core.metadata.AttachedRecord> records = new ArrayList<>();
        java.util.Set<String> done = new java.util.HashSet<>();
        for (var page : ddb.scanPaginator(ScanRequest.builder().tableName(table).build())) {
            for (Map<String, AttributeValue> item : page.items()) {
                String pk = str(item, "pk");
                if (pk == null || !pk.startsWith("A#")) {
                    continue;
                }
                String id = pk.substring(2);
                if (!id.equals(current)) {
                    if (current != null) {
                        sink.accept(new StoredAttempt(current, meta, slices, records));
                        done.add(current);
                    }
                    if (done.contains(id)) {
                        // Never seen with DynamoDB; if it happens, a half-read attempt must not be summarised.
                        throw new IllegalStateException("scan returned attempt " + id + " in two places");
                    }
                    current = id;
                    meta = null;
                    slices = new ArrayList<>();
                    records = new ArrayList<>();
                }
                String sk = str(item, "sk");
                if ("META".equals(sk)) {
                    meta = item;
                } else if (sk != null && sk.startsWith("C#")) {
                    slices.add(UsageItems.fromItem(item));
                } else if (sk != null && sk.startsWith("R#")) {
                    records.add(MetadataStore.attached(item));
                }
            }
        }
        if (current != null) {
            sink.accept(new StoredAttempt(current, meta, slices, records));
        }
    }
}

package io.taskmeter.aws;

import io.taskmeter.core.usage.UsageSlice;
import io.taskmeter.core.batch.Batch;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

import java.util.HashMap;
import java.util.Map;

import static io.taskmeter.aws.Items.n;
import static io.taskmeter.aws.Items.s;

/**
 * Usage per execution unit and batch, and each host's heartbeat. Every write is conditional on the item being
 * new, so a duplicate delivery changes nothing and emits no second stream record.
 */
public final class UsageStore {
    private final DynamoDbClient ddb;
    private final String table;

    public UsageStore(DynamoDbClient ddb, String table) {
        this.ddb = ddb;
        this.table = table;
    }

    public static String unitKey(String unitId) {
        return "U#" + unitId;
    }

    /**
     * How long a unit's raw slice stays after its batch ends (the table's TTL attribute {@code expires_at}). Attribute
     * copies each slice into its attempt within seconds; the slice is kept well past SQS's longest retention (14
     * days) so that a redelivered batch still finds it and changes nothing, then DynamoDB deletes it at no cost.
     */
    public static final long SLICE_RETENTION_SECONDS = 35L * 86_400;

    /** @return false when this unit's usage for this batch was already stored */
    public boolean putIfAbsent(UsageSlice record) {
        Map<String, AttributeValue> item = new HashMap<>(
                UsageItems.toItem(record, unitKey(record.unitId()), UsageItems.batchSortKey(record)));
        item.put("expires_at", n(expiresAt(record.endMs())));
        try {
            ddb.putItem(b -> b.tableName(table).item(item)
                    .conditionExpression("attribute_not_exists(pk)"));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    /** Epoch seconds at which DynamoDB's TTL may delete a slice whose batch ended at {@code endMs}. */
    static long expiresAt(long endMs) {
        return Math.floorDiv(endMs, 1000) + SLICE_RETENTION_SECONDS;
    }

    public UsageSlice get(String pk, String sk) {
        Map<String, AttributeValue> item = ddb.getItem(b -> b.tableName(table).key(Items.key(pk, sk))
                .consistentRead(true)).item();
        return item == null || item.isEmpty() ? null : UsageItems.fromItem(item);
    }

    /**
     * Widens the host's reporting span for the batch's UTC day to include the batch: first and last only move
     * outwards, so duplicates and any order give the same span.
     */
    public void hostDay(Batch batch) {
        String day = java.time.LocalDate.ofInstant(java.time.Instant.ofEpochMilli(batch.startMs()),
                java.time.ZoneOffset.UTC).toString();
        Map<String, AttributeValue> key = Items.key("H#" + batch.hostId(), "D#" + day);
        for (String[] bound : new String[][] {{"first_ms", ":start", ">"}, {"last_ms", ":end", "<"}}) {
            Map<String, AttributeValue> shape = Map.of(bound[1], n(bound[1].equals(":start") ? batch.startMs()
                            : batch.endMs()), ":cpus", n(batch.host().cpus()), ":mem", n(batch.host().memoryBytes()),
                    ":type", s(batch.host().instanceType() == null ? "" : batch.host().instanceType()));
            try {
                ddb.updateItem(b -> b.tableName(table).key(key)
                        .updateExpression("SET " + bound[0] + " = " + bound[1]
                                + ", cpus = :cpus, mem = :mem, instance_type = :type")
                        .conditionExpression("attribute_not_exists(" + bound[0] + ") OR " + bound[0] + " " + bound[2]
                                + " " + bound[1])
                        .expressionAttributeValues(shape));
            } catch (ConditionalCheckFailedException e) {
                // the span already reaches past this batch on that side
            }
        }
    }

    public java.util.List<io.taskmeter.core.cost.HostCost.Day> hostDays(String hostId) {
        java.util.List<io.taskmeter.core.cost.HostCost.Day> out = new java.util.ArrayList<>();
        var pages = ddb.queryPaginator(b -> b.tableName(table).keyConditionExpression("pk = :pk AND begins_with(sk, :d)")
                .expressionAttributeValues(Map.of(":pk", s("H#" + hostId), ":d", s("D#"))));
        for (var page : pages) {
            for (Map<String, AttributeValue> item : page.items()) {
                if (!item.containsKey("first_ms") || !item.containsKey("last_ms")) {
                    continue;
                }
                String type = Items.str(item, "instance_type");
                out.add(new io.taskmeter.core.cost.HostCost.Day(hostId, Items.str(item, "sk").substring(2),
                        Items.num(item, "first_ms", 0), Items.num(item, "last_ms", 0),
                        type == null || type.isEmpty() ? null : type, (int) Items.num(item, "cpus", 1),
                        Items.num(item, "mem", 0)));
            }
        }
        return out;
    }

    /** When each host's newest batch ended, epoch ms. */
    public Map<String, Long> lastBatchEnds(java.util.Collection<String> hostIds) {
        Map<String, Long> out = new java.util.HashMap<>();
        for (String host : hostIds) {
            Map<String, AttributeValue> item = ddb.getItem(b -> b.tableName(table)
                    .key(Items.key("H#" + host, "HEARTBEAT")).consistentRead(true)).item();
            if (item != null && !item.isEmpty()) {
                out.put(host, Items.num(item, "last_batch_end_ms", 0));
            }
        }
        return out;
    }

    /**
     * Marks that the silence after {@code lastBatchEndMs} was reported; false when it already was, so a job run
     * twice (or two overlapping runs) alerts once.
     */
    public boolean markSilenceReported(String hostId, long lastBatchEndMs) {
        try {
            ddb.updateItem(b -> b.tableName(table).key(Items.key("H#" + hostId, "HEARTBEAT"))
                    .updateExpression("SET silence_reported_for = :end")
                    .conditionExpression("last_batch_end_ms = :end AND (attribute_not_exists(silence_reported_for) "
                            + "OR silence_reported_for <> :end)")
                    .expressionAttributeValues(Map.of(":end", n(lastBatchEndMs))));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    /** Moves the heartbeat forward only: a late or duplicate batch never makes a host look older. */
    public void heartbeat(Batch batch, String objectKey) {
        try {
            ddb.updateItem(b -> b.tableName(table).key(Items.key("H#" + batch.hostId(), "HEARTBEAT"))
                    .updateExpression("SET last_batch_end_ms = :end, boot_id = :boot, seq = :seq, "
                            + "shipper_version = :ver, units = :units, last_key = :key, dropped_batches = :dropped")
                    .conditionExpression("attribute_not_exists(last_batch_end_ms) OR last_batch_end_ms < :end")
                    .expressionAttributeValues(Map.of(":end", n(batch.endMs()), ":boot", s(batch.bootId()),
                            ":seq", n(batch.seq()), ":ver", s(batch.shipperVersion()),
                            ":units", n(batch.units().size()), ":key", s(objectKey),
                            ":dropped", n(batch.droppedBatches()))));
        } catch (ConditionalCheckFailedException e) {
            // an older or duplicate batch: the heartbeat already says more recent
        }
    }
}

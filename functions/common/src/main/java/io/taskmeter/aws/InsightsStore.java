package io.taskmeter.aws;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.taskmeter.core.batch.BatchCodec;
import io.taskmeter.core.report.AttemptSummary;
import io.taskmeter.core.report.CostRollup;
import io.taskmeter.core.report.Insights;
import io.taskmeter.core.report.TaskSummary;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static io.taskmeter.aws.Items.s;
import static io.taskmeter.aws.Items.str;

/**
 * Computed insights as JSON documents, laid out for the API's reads (docs/data-model.md):
 * {@code TASKS/<task id>}, {@code TASK#<task id>/<started>#<attempt id>}, {@code ATTEMPT#<id>/SUMMARY},
 * {@code COSTS#<group by>/<key>}. Rewritten whole by each job run; a rewrite of the same input writes the same
 * documents.
 */
public final class InsightsStore {
    private static final ObjectMapper JSON = BatchCodec.json();

    private final DynamoDbClient ddb;
    private final String table;

    public InsightsStore(DynamoDbClient ddb, String table) {
        this.ddb = ddb;
        this.table = table;
    }

    /** Everything computed at once (tests, small data). */
    public void write(Insights insights) {
        try (Writer w = writer()) {
            insights.attempts().forEach(w::attempt);
            w.tasksAndCosts(insights.tasks(), insights.costs(), insights.computedAtMs(), insights.attempts().size());
        }
    }

    public Writer writer() {
        return new Writer();
    }

    /** Batches documents 25 at a time as they are produced, so a job never holds them all. */
    public final class Writer implements AutoCloseable {
        private final List<WriteRequest> pending = new ArrayList<>(25);

        public void attempt(AttemptSummary a) {
            add(put("ATTEMPT#" + a.id(), "SUMMARY", a));
            add(put("TASK#" + a.taskId(), a.startedAt() + "#" + a.id(), a));
            add(put(dayKey(a.startedAt()), a.startedAt() + "#" + a.id(), a));
        }

        public void host(io.taskmeter.core.cost.HostCost host) {
            add(put("HOSTS", host.host(), host));
        }

        public void tasksAndCosts(List<TaskSummary> tasks, List<CostRollup> costs, long computedAtMs, int attempts) {
            tasks.forEach(t -> add(put("TASKS", t.id(), t)));
            costs.forEach(c -> add(put("COSTS#" + c.groupBy(), c.key(), c)));
            add(put("JOB", "LAST_RUN", Map.of("computed_at_ms", computedAtMs, "attempts", attempts, "tasks", tasks.size())));
        }

        private void add(WriteRequest w) {
            pending.add(w);
            if (pending.size() == 25) {
                flush();
            }
        }

        private void flush() {
            if (pending.isEmpty()) {
                return;
            }
            Map<String, List<WriteRequest>> unprocessed = Map.of(table, List.copyOf(pending));
            pending.clear();
            // Unprocessed items come back under throttling: resend them, backing off, until none are left.
            for (int attempt = 0; !unprocessed.getOrDefault(table, List.of()).isEmpty(); attempt++) {
                if (attempt > 0) {
                    sleep(Math.min(1000, 50L << Math.min(attempt, 5)));
                }
                Map<String, List<WriteRequest>> req = unprocessed;
                unprocessed = ddb.batchWriteItem(b -> b.requestItems(req)).unprocessedItems();
            }
        }

        @Override
        public void close() {
            flush();
        }
    }

    /** Attempts by the UTC day they started: what cost queries over a time range read. */
    public static String dayKey(String isoInstant) {
        return "DAY#" + isoInstant.substring(0, 10);
    }

    /** Every attempt that started in [from, to), read day by day. */
    public List<AttemptSummary> attemptsBetween(java.time.Instant from, java.time.Instant to) {
        List<AttemptSummary> out = new ArrayList<>();
        String fromIso = from.toString();
        String toIso = to.toString();
        for (java.time.LocalDate day = java.time.LocalDate.ofInstant(from, java.time.ZoneOffset.UTC);
             day.atStartOfDay(java.time.ZoneOffset.UTC).toInstant().isBefore(to); day = day.plusDays(1)) {
            String after = null;
            do {
                Page<AttemptSummary> page = page("DAY#" + day, AttemptSummary.class, 1000, after, false);
                for (AttemptSummary a : page.items()) {
                    if (a.startedAt().compareTo(fromIso) >= 0 && a.startedAt().compareTo(toIso) < 0) {
                        out.add(a);
                    }
                }
                after = page.next();
            } while (after != null);
        }
        return out;
    }

    /** Alerts are written as they happen, by attribute, not by the job. */
    public void putStall(io.taskmeter.core.stall.StallAlert alert) {
        WriteRequest w = put("STALLS", alert.since() + "#" + alert.attemptId() + "#" + alert.kind(), alert);
        ddb.putItem(b -> b.tableName(table).item(w.putRequest().item()));
    }

    /** One page of a partition's documents, in sort-key order; {@code after} is the last sort key seen. */
    public record Page<T>(List<T> items, String next) {
    }

    public <T> Page<T> page(String pk, Class<T> type, int limit, String after, boolean newestFirst) {
        QueryRequest.Builder q = QueryRequest.builder().tableName(table).keyConditionExpression("pk = :pk")
                .expressionAttributeValues(Map.of(":pk", s(pk))).limit(limit).scanIndexForward(!newestFirst);
        if (after != null) {
            q.exclusiveStartKey(Items.key(pk, after));
        }
        var response = ddb.query(q.build());
        List<T> items = new ArrayList<>();
        for (Map<String, AttributeValue> item : response.items()) {
            items.add(read(item, type));
        }
        Map<String, AttributeValue> last = response.lastEvaluatedKey();
        return new Page<>(items, last == null || last.isEmpty() ? null : str(last, "sk"));
    }

    public <T> Optional<T> get(String pk, String sk, Class<T> type) {
        Map<String, AttributeValue> item = ddb.getItem(b -> b.tableName(table).key(Items.key(pk, sk))).item();
        return item == null || item.isEmpty() ? Optional.empty() : Optional.of(read(item, type));
    }

    private static <T> T read(Map<String, AttributeValue> item, Class<T> type) {
        try {
            return JSON.readValue(str(item, "doc"), type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored document " + str(item, "pk") + "/" + str(item, "sk")
                    + " is not valid: " + e.getOriginalMessage(), e);
        }
    }

    private static WriteRequest put(String pk, String sk, Object doc) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put("pk", s(pk));
        item.put("sk", s(sk));
        try {
            item.put("doc", s(JSON.writeValueAsString(doc)));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        return WriteRequest.builder().putRequest(PutRequest.builder().item(item).build()).build();
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while writing insights", e);
        }
    }
}

package io.taskmeter.aws;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.taskmeter.core.attribution.AttemptIdentity;
import io.taskmeter.core.batch.BatchCodec;
import io.taskmeter.core.stall.Episode;
import io.taskmeter.core.stall.StallAlert;
import io.taskmeter.core.stall.StallDetector;
import io.taskmeter.core.stall.StallSettings;
import io.taskmeter.core.usage.Intervals;
import io.taskmeter.core.usage.UsageSlice;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.taskmeter.aws.Items.s;

/**
 * Runs the detectors for an attempt each time usage lands for it, and sends one alert per episode and one per
 * recovery. The episode's state lives in the attempt's partition and changes only by conditional update, so a
 * retried or duplicated batch finds the state already changed and sends nothing.
 */
public final class StallMonitor {
    private final DynamoDbClient ddb;
    private final String attemptsTable;
    private final AttemptStore attempts;
    private final InsightsStore insights;
    private final AlertPublisher publisher;
    private final StallDetector detector;

    public StallMonitor(DynamoDbClient ddb, String attemptsTable, AttemptStore attempts, InsightsStore insights,
                        AlertPublisher publisher, StallSettings settings) {
        this.ddb = ddb;
        this.attemptsTable = attemptsTable;
        this.attempts = attempts;
        this.insights = insights;
        this.publisher = publisher;
        this.detector = new StallDetector(settings);
    }

    public void check(AttemptIdentity id, UsageSlice latest) {
        List<UsageSlice> slices = attempts.contributions(id.attemptId());
        boolean alive = slices.stream().allMatch(sl -> sl.endedMs() == null);
        List<Intervals> intervals = new ArrayList<>();
        slices.forEach(sl -> intervals.add(sl.intervals()));
        Map<Episode.Kind, Episode> open = detector.evaluate(StallDetector.points(intervals), alive);
        // Most batches change no alert. Reading the states first (one consistent query, 1 RRU) and writing only
        // where one can change saves the failed conditional writes (1 WRU each, one per kind and batch) that were a
        // quarter of all writes. The conditions below stay: they decide races between concurrent deliveries.
        Map<String, String> states = alertStates(id.attemptId());
        for (Episode.Kind kind : Episode.Kind.values()) {
            Episode e = open.get(kind);
            boolean isOpen = "open".equals(states.get(kind.id));
            if (e != null) {
                if (!isOpen) {
                    transition(id, latest, kind, "open", e);
                }
            } else if (isOpen) {
                // Over: either the tree made progress again, or it ended (a dead task is not stuck).
                transition(id, latest, kind, alive ? "recovered" : "ended", null);
            }
        }
    }

    /** The state of each of the attempt's alerts, by kind id; absent kinds never opened. */
    private Map<String, String> alertStates(String attemptId) {
        Map<String, String> out = new java.util.HashMap<>();
        var response = ddb.query(q -> q.tableName(attemptsTable).consistentRead(true)
                .keyConditionExpression("pk = :pk AND begins_with(sk, :alert)")
                .expressionAttributeValues(Map.of(":pk", s(AttemptStore.attemptKey(attemptId)), ":alert", s("ALERT#")))
                .projectionExpression("sk, #s").expressionAttributeNames(Map.of("#s", "state")));
        for (Map<String, AttributeValue> item : response.items()) {
            AttributeValue state = item.get("state");
            if (state != null && state.s() != null) {
                out.put(item.get("sk").s().substring("ALERT#".length()), state.s());
            }
        }
        return out;
    }

    private void transition(AttemptIdentity id, UsageSlice latest, Episode.Kind kind, String to, Episode e) {
        String pk = AttemptStore.attemptKey(id.attemptId());
        Map<String, AttributeValue> key = Items.key(pk, "ALERT#" + kind.id);
        try {
            if ("open".equals(to)) {
                ddb.updateItem(b -> b.tableName(attemptsTable).key(key)
                        .updateExpression("SET #s = :to, since_ms = :since")
                        .conditionExpression("attribute_not_exists(#s) OR #s <> :to")
                        .expressionAttributeNames(Map.of("#s", "state"))
                        .expressionAttributeValues(Map.of(":to", s(to), ":since", Items.n(e.sinceMs()))));
            } else {
                ddb.updateItem(b -> b.tableName(attemptsTable).key(key).updateExpression("SET #s = :to")
                        .conditionExpression("#s = :from").expressionAttributeNames(Map.of("#s", "state"))
                        .expressionAttributeValues(Map.of(":to", s(to), ":from", s("open"))));
            }
        } catch (ConditionalCheckFailedException already) {
            return; // no change of state: nothing to say
        }
        long since = e != null ? e.sinceMs() : Items.num(ddb.getItem(b -> b.tableName(attemptsTable).key(key)
                .consistentRead(true)).item(), "since_ms", latest.startMs());
        StallAlert alert = new StallAlert(id.attemptId(), id.taskId(), id.orchestrator(), id.group(), id.task(),
                id.run(), id.tryNumber(), latest.hostId(), kind.id, to, Instant.ofEpochMilli(since).toString(),
                Instant.ofEpochMilli(latest.endMs()).toString(),
                e != null ? e.signals() : Map.of("meaning", ("ended".equals(to) ? "the attempt ended after "
                        : "progress again after ") + kind.meaning),
                "/v1/attempts/" + id.attemptId());
        try {
            publisher.publish(alert.subject(), BatchCodec.json().writeValueAsString(alert));
        } catch (RuntimeException | JsonProcessingException failed) {
            // Put the state back so the retried record sends the alert; then let the record fail.
            String back = "open".equals(to) ? "closed" : "open";
            ddb.updateItem(b -> b.tableName(attemptsTable).key(key).updateExpression("SET #s = :back")
                    .expressionAttributeNames(Map.of("#s", "state"))
                    .expressionAttributeValues(Map.of(":back", s(back))));
            throw new IllegalStateException("publishing the " + kind.id + " alert failed", failed);
        }
        insights.putStall(alert);
    }
}

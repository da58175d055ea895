package io.taskmeter.aws;

import io.taskmeter.core.batch.Batch;
import io.taskmeter.core.batch.BatchCodec;
import io.taskmeter.core.batch.BatchKey;
import io.taskmeter.core.batch.UnitSeries;
import io.taskmeter.core.cost.PriceTable;
import io.taskmeter.core.rightsizing.RightsizingSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Property: however S3 events and stream records are ordered, duplicated and interleaved, every stored item and
 * every API document is the same as after an in-order, exactly-once delivery. Each run is seeded (the seed is
 * in the failure message; {@code -Dtaskmeter.delivery.seed=N} replays one, {@code -Dtaskmeter.delivery.runs=N}
 * runs more) and has tables of its own.
 */
class DeliveryOrderPropertyTest {
    /** Far after every batch, so every finished attempt reads as finished and the job output is fixed. */
    static final long NOW = PipelineScenario.T0 + 2 * 86_400_000L;

    static StandIns standIns;
    static List<Batch> batches;
    static Snapshot reference;
    /** Objects never change, so every run reads the same bucket; only the tables are new per run. */
    static String bucket;

    @BeforeAll
    static void start() throws IOException {
        standIns = StandIns.start();
        batches = PipelineScenario.batches();
        bucket = standIns.freshBucket("delivery");
        for (Batch b : batches) {
            standIns.s3.putObject(p -> p.bucket(bucket).key(BatchKey.of("", b).key()),
                    RequestBody.fromBytes(BatchCodec.encode(b)));
        }
        reference = run("inorder", 0, (steps, r) -> { });
    }

    @AfterAll
    static void stop() {
        standIns.close();
    }

    /** Everything a user or a later step can read, as text. */
    record Snapshot(List<String> usage, List<String> attempts, List<String> insights, Map<String, String> api) {
    }

    interface Schedule {
        void plan(List<Step> steps, Random random);
    }

    /** One delivery: an SQS message naming one object, or a DynamoDB stream event of some records. */
    record Step(Batch ingest, List<LambdaEvents.StreamKey> stream) {
    }

    @Test
    void theReferenceRunProducedEveryKindOfDocument() {
        // Guards the property against vacuous truth: the scenario reaches every table and endpoint.
        assertEquals(batches.stream().mapToInt(b -> b.units().size()).sum() + 2 + 2,
                reference.usage().size(), "one usage item per unit and batch, heartbeat and host days: "
                        + reference.usage());
        assertTrue(reference.attempts().stream().filter(l -> l.contains("| META")).count() >= 7,
                String.join("\n", reference.attempts()));
        assertTrue(reference.api().get("/v1/tasks").contains("\"etl\""), reference.api().get("/v1/tasks"));
        assertTrue(reference.api().get("/v1/costs?groupBy=host").contains("host-b"));
        assertFalse(reference.api().values().stream().anyMatch(b -> b.contains("\"status\":404")
                || b.contains("\"status\":400")), reference.api().toString());
    }

    @Test
    void randomOrdersDuplicatesAndInterleavingsGiveTheInOrderResult() throws IOException {
        int runs = Integer.getInteger("taskmeter.delivery.runs", 6);
        Long only = Long.getLong("taskmeter.delivery.seed");
        long base = 0x5eed_0000L;
        for (int i = 0; i < runs; i++) {
            long seed = only != null ? only : base + i;
            Snapshot got = run("shuffled", seed, DeliveryOrderPropertyTest::chaotic);
            compare(seed, got);
            if (only != null) {
                break;
            }
        }
    }

    /**
     * Each batch is delivered one to three times; its stream records go out at a random later point, split into
     * random events, some records twice; ingest and attribute interleave freely.
     */
    static void chaotic(List<Step> steps, Random random) {
        List<Batch> deliveries = new ArrayList<>();
        for (Batch b : batches) {
            int copies = 1 + (random.nextInt(3) == 0 ? 1 + random.nextInt(2) : 0);
            for (int c = 0; c < copies; c++) {
                deliveries.add(b);
            }
        }
        java.util.Collections.shuffle(deliveries, random);
        List<LambdaEvents.StreamKey> pending = new ArrayList<>();
        int seq = 0;
        for (Batch b : deliveries) {
            steps.add(new Step(b, null));
            for (UnitSeries u : b.units()) {
                pending.add(new LambdaEvents.StreamKey(Integer.toString(++seq), "INSERT",
                        UsageStore.unitKey(u.unitId()), "B#" + b.batchId()));
            }
            while (!pending.isEmpty() && random.nextInt(3) == 0) {
                steps.add(new Step(null, takeSome(pending, random)));
            }
        }
        while (!pending.isEmpty()) {
            steps.add(new Step(null, takeSome(pending, random)));
        }
    }

    private static List<LambdaEvents.StreamKey> takeSome(List<LambdaEvents.StreamKey> pending, Random random) {
        java.util.Collections.shuffle(pending, random);
        int n = 1 + random.nextInt(Math.min(pending.size(), 6));
        List<LambdaEvents.StreamKey> event = new ArrayList<>(pending.subList(0, n));
        pending.subList(0, n).clear();
        if (random.nextInt(4) == 0) {
            event.add(event.get(random.nextInt(event.size()))); // at-least-once: a record twice
        }
        return event;
    }

    private static Snapshot run(String tag, long seed, Schedule schedule) throws IOException {
        TableNames tables = standIns.freshTables(tag);
        Services services = new Services(standIns.ddb, standIns.s3, tables, PriceTable.builtIn(),
                RightsizingSettings.defaults());
        List<Step> steps = new ArrayList<>();
        if ("inorder".equals(tag)) {
            for (Batch b : batches) {
                steps.add(new Step(b, null));
                List<LambdaEvents.StreamKey> keys = new ArrayList<>();
                for (UnitSeries u : b.units()) {
                    keys.add(new LambdaEvents.StreamKey(b.batchId() + u.unitId(), "INSERT",
                            UsageStore.unitKey(u.unitId()), "B#" + b.batchId()));
                }
                steps.add(new Step(null, keys));
            }
        } else {
            schedule.plan(steps, new Random(seed));
        }
        for (Step step : steps) {
            if (step.ingest() != null) {
                String key = BatchKey.of("", step.ingest()).key();
                byte[] event = LambdaEvents.sqsWrapped(List.of(LambdaEvents.s3Event(bucket, key, 1)));
                List<String> failed = LambdaEvents.failedIds(EventHandling.ingest(services.ingest(),
                        LambdaEvents.read(new java.io.ByteArrayInputStream(event))));
                assertTrue(failed.isEmpty(), "seed " + seed + ": ingest failed " + failed);
            } else {
                List<String> failed = LambdaEvents.failedIds(EventHandling.attribute(services.attribute(),
                        LambdaEvents.read(new java.io.ByteArrayInputStream(LambdaEvents.streamEvent(step.stream())))));
                assertTrue(failed.isEmpty(), "seed " + seed + ": attribute failed " + failed);
            }
        }
        services.insightsJob().run(NOW);
        return snapshot(standIns, tables, services.insightsApi());
    }

    static Snapshot snapshot(StandIns standIns, TableNames tables, InsightsApi api) {
        Map<String, String> docs = new LinkedHashMap<>();
        get(api, docs, "/v1/health", Map.of());
        String tasks = get(api, docs, "/v1/tasks", Map.of());
        get(api, docs, "/v1/stalls", Map.of());
        for (String groupBy : List.of("dag", "flow", "task", "run", "host")) {
            get(api, docs, "/v1/costs?groupBy=" + groupBy, Map.of("groupBy", groupBy));
        }
        get(api, docs, "/v1/costs?groupBy=task&from&to", Map.of("groupBy", "task", "from", "2025-11-21",
                "to", "2025-11-24"));
        TreeSet<String> taskIds = new TreeSet<>();
        TreeSet<String> attemptIds = new TreeSet<>();
        try {
            for (var t : BatchCodec.json().readTree(tasks).path("tasks")) {
                taskIds.add(t.path("id").asText());
            }
            for (String id : taskIds) {
                String body = get(api, docs, "/v1/tasks/" + id, Map.of());
                for (var a : BatchCodec.json().readTree(body).path("attempts")) {
                    attemptIds.add(a.path("id").asText());
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        for (String id : attemptIds) {
            get(api, docs, "/v1/attempts/" + id, Map.of());
        }
        return new Snapshot(standIns.dump(tables.usage()), standIns.dump(tables.attempts()),
                standIns.dump(tables.insights()), docs);
    }

    private static String get(InsightsApi api, Map<String, String> docs, String path, Map<String, String> query) {
        String p = path.contains("?") ? path.substring(0, path.indexOf('?')) : path;
        InsightsApi.Response r = api.handle("GET", p.startsWith("/v1/tasks/")
                ? "/v1/tasks/" + java.net.URLEncoder.encode(p.substring(10), java.nio.charset.StandardCharsets.UTF_8)
                : p, query);
        docs.put(path, r.status() + " " + r.body());
        return r.body();
    }

    private static void compare(long seed, Snapshot got) {
        diff(seed, "usage table", reference.usage(), got.usage());
        diff(seed, "attempts table", reference.attempts(), got.attempts());
        diff(seed, "insights table", reference.insights(), got.insights());
        assertEquals(reference.api().keySet(), got.api().keySet(), "seed " + seed + ": API paths");
        for (String path : reference.api().keySet()) {
            if (!reference.api().get(path).equals(got.api().get(path))) {
                fail("seed " + seed + ": GET " + path + " differs from the in-order result\nexpected: "
                        + reference.api().get(path) + "\nactual:   " + got.api().get(path));
            }
        }
    }

    private static void diff(long seed, String what, List<String> expected, List<String> actual) {
        if (expected.equals(actual)) {
            return;
        }
        List<String> missing = new ArrayList<>(expected);
        missing.removeAll(actual);
        List<String> extra = new ArrayList<>(actual);
        extra.removeAll(expected);
        fail("seed " + seed + ": the " + what + " differs from the in-order result\nonly in order:\n  "
                + String.join("\n  ", missing) + "\nonly in shuffled:\n  " + String.join("\n  ", extra));
    }
}

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
    /** Keys of the scenario's orchestrator metadata documents, delivered among the batches. */
    static List<String> metadataKeys;
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
        metadataKeys = new ArrayList<>();
        for (var doc : PipelineScenario.metadata()) {
            standIns.s3.putObject(p -> p.bucket(bucket).key(doc.key()),
                    RequestBody.fromBytes(io.taskmeter.core.metadata.MetadataCodec.encode(doc)));
            metadataKeys.add(doc.key());
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

    /**
     * One delivery: an SQS message naming one object (a batch, or the metadata document under
     * {@code metadataKey}), or a DynamoDB stream event of some records.
     */
    record Step(Batch ingest, List<LambdaEvents.StreamKey> stream, String metadataKey) {
        Step(Batch ingest, List<LambdaEvents.StreamKey> stream) {
            this(ingest, stream, null);
        }
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

    /** The reference run's attempts of one task, by try number (or task run id), from the API documents. */
    private static Map<String, com.fasterxml.jackson.databind.JsonNode> attemptsOf(String taskId) throws IOException {
        String body = reference.api().get("/v1/tasks/" + taskId);
        assertTrue(body != null && body.startsWith("200 "), taskId + ": " + body);
        Map<String, com.fasterxml.jackson.databind.JsonNode> out = new java.util.TreeMap<>();
        for (var a : BatchCodec.json().readTree(body.substring(4)).path("attempts")) {
            out.put(a.path("try_number").asText(a.path("id").asText()), a);
        }
        return out;
    }

    @Test
    void orchestratorMetadataIsJoinedMergedAndSplit() throws IOException {
        var extract = attemptsOf("airflow:etl:extract");
        assertEquals(3, extract.size(), extract.toString());
        // Airflow 2 REST records carry no job id: joined on natural key, host, pid and start.
        assertEquals("up_for_retry", extract.get("1").path("orchestrator_metadata").path("state").asText(), extract.toString());
        assertEquals("failed", extract.get("2").path("orchestrator_metadata").path("state").asText());
        // Polled running, then success: the newer poll wins whichever landed last.
        assertEquals("success", extract.get("3").path("orchestrator_metadata").path("state").asText());
        assertEquals("PythonOperator", extract.get("3").path("orchestrator_metadata").path("operator").asText());

        var load = attemptsOf("airflow:etl:load").get("1");
        assertEquals("orchestrator request (airflow.executor_config.pod_override)",
                load.path("allocation").path("source").asText(), load.toString());
        assertEquals(0.5, load.path("allocation").path("cpus").asDouble(), 1e-9);
        assertEquals(1L << 30, load.path("allocation").path("memory_bytes").asLong());
        assertEquals("host-a", load.path("orchestrator_metadata").path("hostname").asText(),
                "the same task instance reported on host-c must not join host-a's unit: " + load);

        var train = attemptsOf("airflow:ml:train").get("1");
        assertEquals("metadata:ti_id", train.path("attributed_by").asText(), train.toString());
        assertEquals(1.0, train.path("confidence").asDouble());
        assertEquals(1.5, train.path("allocation").path("cpus").asDouble(), 1e-9,
                "the orchestrator's request wins over the task's declared one");

        var features = attemptsOf("airflow:ml:features").get("1");
        assertTrue(features.path("orchestrator_metadata").isNull(), features.toString());

        var flow = attemptsOf(io.taskmeter.core.attribution.AttemptIdentity.taskId("prefect", "nightly-report",
                io.taskmeter.core.attribution.AttemptIdentity.WHOLE_FLOW_RUN));
        assertEquals(1, flow.size(), flow.toString());
        var flowRun = flow.values().iterator().next();
        assertEquals("local-pool", flowRun.path("orchestrator_metadata").path("work_pool").asText(),
                "a partial pushed record must not erase the polled work pool: " + flowRun);
        assertEquals("orchestrator request (prefect.job_variables)", flowRun.path("allocation").path("source").asText());
        double flowCpu = flowRun.path("usage").path("cpu_seconds").asDouble();
        double split = 0;
        for (String[] t : new String[][] {{"fetch-3f2a", "false"}, {"render-9c1d", "true"}, {"upload-77ab", "true"}}) {
            var runs = attemptsOf("prefect:nightly-report:" + t[0]);
            assertEquals(1, runs.size(), t[0] + ": " + runs);
            var tr = runs.values().iterator().next();
            assertEquals(flowRun.path("id").asText(), tr.path("orchestrator_metadata").path("part_of").asText());
            assertEquals(Boolean.parseBoolean(t[1]), tr.path("orchestrator_metadata").path("shared").asBoolean(),
                    t[0] + " overlaps another task run: " + tr);
            assertTrue(tr.path("usage").path("cpu_seconds").asDouble() > 0, tr.toString());
            split += tr.path("usage").path("cpu_seconds").asDouble();
        }
        assertTrue(split <= flowCpu + 0.01 && split > 0.8 * flowCpu,
                "task runs cover 5..190 s of a 200 s flow run: " + split + " of " + flowCpu);
        // Usage no record describes stays visible per host, with its cost.
        String hosts = reference.api().get("/v1/costs?groupBy=host");
        for (var h : BatchCodec.json().readTree(hosts.substring(4)).path("hosts")) {
            boolean b = "host-b".equals(h.path("host").asText());
            assertEquals(b ? 1 : 0, h.path("unattributed_attempts").asInt(), hosts);
            assertEquals(b, h.path("unattributed_usd").asDouble() > 0, hosts);
        }
        // Task runs are part of their flow run's cost, not a second one.
        assertTrue(reference.api().get("/v1/costs?groupBy=flow").contains("\"attempts\":1"),
                reference.api().get("/v1/costs?groupBy=flow"));
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
        // Metadata documents land anywhere among the batches (before their usage, after it), some twice.
        List<String> documents = new ArrayList<>();
        for (String key : metadataKeys) {
            documents.add(key);
            if (random.nextInt(3) == 0) {
                documents.add(key);
            }
        }
        java.util.Collections.shuffle(documents, random);
        List<Integer> slots = new ArrayList<>();
        for (int i = 0; i < documents.size(); i++) {
            slots.add(random.nextInt(deliveries.size() + 1));
        }
        java.util.Collections.sort(slots);
        List<LambdaEvents.StreamKey> pending = new ArrayList<>();
        int seq = 0;
        int d = 0;
        for (int i = 0; i <= deliveries.size(); i++) {
            while (d < documents.size() && slots.get(d) == i) {
                steps.add(new Step(null, null, documents.get(d++)));
            }
            if (i == deliveries.size()) {
                break;
            }
            Batch b = deliveries.get(i);
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
            metadataKeys.forEach(k -> steps.add(new Step(null, null, k)));
        } else {
            schedule.plan(steps, new Random(seed));
        }
        for (Step step : steps) {
            if (step.ingest() != null || step.metadataKey() != null) {
                String key = step.ingest() != null ? BatchKey.of("", step.ingest()).key() : step.metadataKey();
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

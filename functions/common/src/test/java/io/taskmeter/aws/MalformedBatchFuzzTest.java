package io.taskmeter.aws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.taskmeter.core.batch.Batch;
import io.taskmeter.core.batch.BatchCodec;
import io.taskmeter.core.batch.BatchKey;
import io.taskmeter.core.cost.PriceTable;
import io.taskmeter.core.rightsizing.RightsizingSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A seeded fuzzer of broken batches ({@code -Dtaskmeter.fuzz.seed}, {@code -Dtaskmeter.fuzz.cases}): every one is
 * quarantined with its reason beside it, no exception leaves ingest, heap stays bounded, and in an SQS event
 * that mixes them with good batches the good ones are stored and nothing is listed for retry.
 */
class MalformedBatchFuzzTest {
    static StandIns standIns;
    static Services services;
    static TableNames tables;
    static String bucket;
    /** 80 MiB of zeros, gzipped (about 80 KB): decompresses past the 64 MiB limit. */
    static byte[] zipBomb;

    @BeforeAll
    static void start() throws IOException {
        standIns = StandIns.startWithS3In(java.nio.file.Files.createTempDirectory("taskmeter-fuzz-s3"));
        tables = standIns.freshTables("fuzz");
        bucket = standIns.freshBucket("fuzz");
        services = new Services(standIns.ddb, standIns.s3, tables, PriceTable.builtIn(), RightsizingSettings.defaults());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            byte[] prefix = "{\"format\":\"taskmeter-batch\",\"version\":\"1.0\",\"command\":\"".getBytes(StandardCharsets.UTF_8);
            gz.write(prefix);
            byte[] spaces = new byte[1 << 20];
            java.util.Arrays.fill(spaces, (byte) ' ');
            for (int i = 0; i < 80; i++) {
                gz.write(spaces);
            }
        }
        zipBomb = out.toByteArray();
    }

    @AfterAll
    static void stop() {
        standIns.close();
    }

    /** A broken object: under which key it is uploaded, and what it is. */
    record Case(String kind, String key, byte[] bytes) {
    }

    @Test
    void everyBrokenBatchIsQuarantinedWithItsReasonAndNothingEscapes() {
        long seed = Long.getLong("taskmeter.fuzz.seed", 0xF022L);
        int cases = Integer.getInteger("taskmeter.fuzz.cases", 300);
        Random random = new Random(seed);
        long heapBefore = usedHeapAfterGc();
        Map<String, Integer> byKind = new TreeMap<>();
        Map<String, String> reasons = new TreeMap<>();
        List<String> escaped = new ArrayList<>();
        Set<String> keys = new HashSet<>();
        long t0 = System.nanoTime();
        long genNs = 0;
        long upNs = 0;
        for (int i = 0; i < cases; i++) {
            long g0 = System.nanoTime();
            Case c = generate(random, i);
            genNs += System.nanoTime() - g0;
            byKind.merge(c.kind(), 1, Integer::sum);
            long u0 = System.nanoTime();
            upload(c);
            upNs += System.nanoTime() - u0;
            try {
                IngestService.Outcome o = services.ingest().ingest(bucket, c.key());
                if (o.status() != IngestService.Status.QUARANTINED || o.reason() == null || o.reason().isBlank()) {
                    escaped.add(c.kind() + " #" + i + ": " + o);
                } else {
                    keys.add(c.key());
                    reasons.putIfAbsent(c.kind(), o.reason());
                }
            } catch (RuntimeException e) {
                escaped.add(c.kind() + " #" + i + ": " + e);
            }
        }
        long t1 = System.nanoTime();
        Set<String> stored = new HashSet<>();
        standIns.s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(IngestService.QUARANTINE)).contents()
                .stream().map(S3Object::key).forEach(stored::add);
        // The stand-in S3 keeps objects in this JVM's heap: drop them before measuring what ingest kept.
        deleteAll();
        long heapAfter = usedHeapAfterGc();
        System.out.printf("fuzz: %.1f ms a case (generating %.1f, uploading %.1f, ingest the rest)%n",
                (t1 - t0) / 1e6 / cases, genNs / 1e6 / cases, upNs / 1e6 / cases);
        System.out.printf("fuzz: %d cases (seed %d) by kind %s; heap after GC %d MiB before, %d MiB after%n",
                cases, seed, byKind, heapBefore >> 20, heapAfter >> 20);
        reasons.forEach((k, v) -> System.out.println("  " + k + ": " + v));
        if (!escaped.isEmpty()) {
            fail(escaped.size() + " of " + cases + " broken batches were not quarantined (seed " + seed + "):\n  "
                    + String.join("\n  ", escaped.subList(0, Math.min(40, escaped.size()))));
        }
        for (String key : keys) {
            assertTrue(stored.contains(IngestService.QUARANTINE + key), "quarantined object of " + key);
            assertTrue(stored.contains(IngestService.QUARANTINE + key + ".reason.json"), "reason of " + key);
        }
        assertTrue(standIns.dump(tables.usage()).stream().noneMatch(l -> l.contains("fuzz-")),
                "no broken batch left an item behind");
        assertTrue(heapAfter - heapBefore < 64L << 20, "heap grew by " + ((heapAfter - heapBefore) >> 20) + " MiB");
    }

    @Test
    void inAnSqsEventTheGoodBatchesAreStoredAndTheBrokenOnesAreNotRetried() throws IOException {
        Random random = new Random(0x5051L);
        TableNames own = standIns.freshTables("fuzz-sqs");
        Services svc = new Services(standIns.ddb, standIns.s3, own, PriceTable.builtIn(), RightsizingSettings.defaults());
        for (int event = 0; event < 6; event++) {
            List<ObjectNode> s3Events = new ArrayList<>();
            List<Batch> good = new ArrayList<>();
            Map<String, String> bad = new TreeMap<>();
            for (int i = 0; i < 10; i++) {
                if (random.nextInt(3) == 0) {
                    Batch b = TestBatches.airflow("sqs-good-" + event, i + 1, 60, 0.5, i * 30_000L, "1");
                    String key = BatchKey.of("", b).key();
                    standIns.s3.putObject(p -> p.bucket(bucket).key(key), RequestBody.fromBytes(BatchCodec.encode(b)));
                    good.add(b);
                    s3Events.add(LambdaEvents.s3Event(bucket, key, 1));
                } else {
                    Case c = generate(random, 10_000 + event * 10 + i);
                    upload(c);
                    bad.put(c.key(), c.kind());
                    s3Events.add(LambdaEvents.s3Event(bucket, c.key(), c.bytes().length));
                }
            }
            byte[] response = EventHandling.ingest(svc.ingest(),
                    LambdaEvents.read(new ByteArrayInputStream(LambdaEvents.sqsWrapped(s3Events))));
            assertEquals(List.of(), LambdaEvents.failedIds(response), "event " + event);
            for (Batch b : good) {
                var item = standIns.ddb.getItem(g -> g.tableName(own.usage()).key(Items.key(
                        UsageStore.unitKey(b.units().get(0).unitId()), "B#" + b.batchId())).consistentRead(true)).item();
                assertTrue(item != null && !item.isEmpty(), "good batch " + b.batchId() + " stored");
            }
            Set<String> quarantined = new HashSet<>();
            standIns.s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(IngestService.QUARANTINE)).contents()
                    .stream().map(S3Object::key).forEach(quarantined::add);
            bad.forEach((key, kind) -> assertTrue(quarantined.contains(IngestService.QUARANTINE + key + ".reason.json"),
                    kind + " at " + key + " has its reason in quarantine"));
        }
    }

    @Test
    void aLongButValidCommandLineIsIngestedAndStoredTruncated() {
        Batch b = TestBatches.airflow("long-command", 1, 60, 0.5, 0, "1");
        var u = b.units().get(0);
        Batch longer = new Batch(b.format(), b.version(), b.hostId(), b.bootId(), b.shipperVersion(), b.seq(),
                b.startMs(), b.endMs(), b.intervalMs(), b.host(), b.droppedBatches(), List.of(new io.taskmeter.core
                .batch.UnitSeries(u.unitId(), u.rootPid(), u.rootStartTicks(), u.startedMs(), u.endedMs(), u.kind(),
                u.how(), u.tags(), "spark-submit " + "--conf a=b ".repeat(10_000), u.base(), u.samples(), false)));
        String key = BatchKey.of("", longer).key();
        standIns.s3.putObject(p -> p.bucket(bucket).key(key), RequestBody.fromBytes(BatchCodec.encode(longer)));
        assertEquals(IngestService.Status.INGESTED, services.ingest().ingest(bucket, key).status());
        var item = standIns.ddb.getItem(g -> g.tableName(tables.usage()).key(Items.key(UsageStore.unitKey(u.unitId()),
                "B#" + longer.batchId()))).item();
        assertEquals(UsageItems.MAX_COMMAND_CHARS, item.get("command").s().length());
    }

    // ---- the generator ----------------------------------------------------------------------------------------

    private static final String[] KINDS = {"truncated-gzip", "not-gzip", "bad-json", "not-an-object", "wrong-format",
            "wrong-version", "negative-counter", "decreasing-counter", "absurd-cpu", "absurd-memory", "absurd-io",
            "absurd-host", "far-past", "far-future", "bad-span", "sample-out-of-range", "wrong-key", "bad-ids",
            "duplicate-unit", "wrong-type", "missing-field", "deep-nesting", "huge-string", "huge-unit", "zip-bomb",
            "too-large-object", "unparseable-key"};

    static Case generate(Random r, int n) {
        // The expensive kinds (megabytes each) come up rarely; the rest uniformly.
        String kind = KINDS[r.nextInt(KINDS.length)];
        if ((kind.equals("huge-unit") || kind.equals("too-large-object") || kind.equals("zip-bomb")
                || kind.equals("huge-string")) && r.nextInt(8) != 0) {
            kind = "bad-json";
        }
        Batch good = TestBatches.airflow("fuzz-" + n, 1 + r.nextInt(1000), 10 + r.nextInt(50), r.nextDouble() * 2,
                r.nextInt(100_000), Integer.toString(1 + r.nextInt(3)));
        String key = BatchKey.of("", good).key();
        byte[] encoded = BatchCodec.encode(good);
        ObjectNode tree = tree(encoded);
        ObjectNode unit = (ObjectNode) tree.path("units").path(0);
        ArrayNode samples = (ArrayNode) unit.path("samples");
        ObjectNode sample = (ObjectNode) samples.path(r.nextInt(samples.size()));
        String[] counters = {"cpu_millis", "rss_bytes", "hwm_bytes", "read_bytes", "write_bytes", "rchar", "wchar",
                "processes", "spawned", "running", "disk_wait"};
        switch (kind) {
            case "truncated-gzip" -> {
                return new Case(kind, key, java.util.Arrays.copyOf(encoded, r.nextInt(encoded.length - 8)));
            }
            case "not-gzip" -> {
                byte[] junk = new byte[r.nextInt(4096)];
                r.nextBytes(junk);
                if (junk.length > 1 && junk[0] == (byte) 0x1f) {
                    junk[0] = 0;
                }
                return new Case(kind, key, junk);
            }
            case "bad-json" -> {
                String json = tree.toString();
                String cut = json.substring(0, r.nextInt(json.length() - 1));
                return new Case(kind, key, gzip(r.nextBoolean() ? cut : cut + "\u0000,]"));
            }
            case "not-an-object" -> {
                String[] docs = {"[]", "42", "null", "\"taskmeter-batch\"", "", "   ", "[{\"format\":\"taskmeter-batch\"}]"};
                return new Case(kind, key, gzip(docs[r.nextInt(docs.length)]));
            }
            case "wrong-format" -> pick(r, () -> tree.put("format", "taskmeter-batch2"), () -> tree.remove("format"),
                    () -> tree.put("format", 1), () -> tree.putNull("format"));
            case "wrong-version" -> {
                String[] versions = {"2.0", "0.9", "1", "", "v1.0", "1.0.0", "99999999999.0", "-1.0", "1.x"};
                tree.put("version", versions[r.nextInt(versions.length)]);
            }
            case "negative-counter" -> sample.put(counters[r.nextInt(counters.length)], -1 - r.nextInt(1_000_000));
            case "decreasing-counter" -> {
                ObjectNode last = (ObjectNode) samples.path(samples.size() - 1);
                String[] cumulative = {"cpu_millis", "read_bytes", "write_bytes", "rchar", "wchar", "spawned"};
                String c = cumulative[r.nextInt(cumulative.length)];
                ObjectNode base = (ObjectNode) unit.path("base");
                base.put(c, last.path(c).asLong() + 1 + r.nextInt(1000));
            }
            case "absurd-cpu" -> sample.put("cpu_millis", sample.path("cpu_millis").asLong() + 1_000_000L
                    + r.nextInt(1 << 30));
            case "absurd-memory" -> sample.put(r.nextBoolean() ? "rss_bytes" : "hwm_bytes", (1L << 51) + r.nextInt(1000));
            case "absurd-io" -> {
                // Far more bytes than any device moves in a second: counters near the top of a long.
                String c = new String[] {"read_bytes", "write_bytes", "rchar", "wchar"}[r.nextInt(4)];
                for (JsonNode s : samples) {
                    ((ObjectNode) s).put(c, (Long.MAX_VALUE >> 1) + s.path("t").asLong());
                }
            }
            case "absurd-host" -> pick(r, () -> ((ObjectNode) tree.path("host")).put("cpus", 0),
                    () -> ((ObjectNode) tree.path("host")).put("cpus", 100_000),
                    () -> ((ObjectNode) tree.path("host")).put("memory_bytes", -1),
                    () -> ((ObjectNode) tree.path("host")).put("memory_bytes", 0),
                    () -> tree.put("interval_ms", 0), () -> tree.put("dropped_batches", -3));
            case "far-past" -> pick(r, () -> shiftAll(tree, -tree.path("start_ms").asLong() + r.nextInt(1_000_000)),
                    () -> shiftAll(tree, -30L * 365 * 86_400_000L), () -> unit.put("started_ms", 0));
            case "far-future" -> shiftAll(tree, (1L + r.nextInt(200)) * 365 * 86_400_000L);
            case "bad-span" -> pick(r, () -> tree.put("end_ms", tree.path("start_ms").asLong() - 1),
                    () -> tree.put("end_ms", tree.path("start_ms").asLong() + 25L * 3_600_000));
            case "sample-out-of-range" -> pick(r, () -> sample.put("t", tree.path("end_ms").asLong() + 3_600_000L),
                    () -> sample.put("t", tree.path("start_ms").asLong() - 25L * 3_600_000));
            case "wrong-key" -> {
                String[] keys = {BatchKey.of("", good).key().replace("host=fuzz-", "host=other-"),
                        key.replace("boot-1-", "boot-2-"), key.replace("-" + good.seq() + ".json.gz",
                        "-" + (good.seq() + 1) + ".json.gz")};
                return new Case(kind, keys[r.nextInt(keys.length)], encoded);
            }
            case "bad-ids" -> pick(r, () -> tree.put("host_id", "fuzz/../etc"), () -> tree.put("host_id", ""),
                    () -> tree.put("host_id", "h".repeat(129)), () -> tree.put("boot_id", "boot 1"),
                    () -> tree.put("seq", 0), () -> tree.put("seq", -7), () -> unit.put("unit_id", " "),
                    () -> unit.putNull("unit_id"), () -> tree.putNull("shipper_version"));
            case "duplicate-unit" -> ((ArrayNode) tree.path("units")).add(unit.deepCopy());
            case "wrong-type" -> pick(r, () -> tree.put("seq", "one"), () -> tree.put("units", "none"),
                    () -> tree.putObject("units"), () -> unit.put("samples", 3), () -> sample.put("t", "now"),
                    () -> ((ObjectNode) tree.path("host")).put("cpus", "four"), () -> unit.putArray("tags"),
                    () -> sample.put("cpu_millis", "1e999"));
            case "missing-field" -> pick(r, () -> tree.remove("host"), () -> tree.remove("units"),
                    () -> unit.remove("base"), () -> unit.remove("samples"), () -> unit.remove("kind"),
                    () -> unit.remove("tags"), () -> tree.remove("host_id"), () -> tree.remove("boot_id"));
            case "deep-nesting" -> {
                String json = tree.toString();
                String nest = "[".repeat(100 + r.nextInt(5000)) + "]".repeat(0);
                return new Case(kind, key, gzip(json.substring(0, json.length() - 1) + ",\"x\":" + nest
                        + "]".repeat(nest.length()) + "}"));
            }
            case "huge-string" -> pick(r, () -> unit.put("command", "x".repeat(2 << 20)),
                    () -> ((ObjectNode) tree.path("host")).put("os", "y".repeat(3 << 20)),
                    // Below the parser's 1 MiB string limit, far above what one DynamoDB item holds.
                    () -> unit.put("command", "z".repeat(600_000)),
                    () -> {
                        ObjectNode tags = (ObjectNode) unit.path("tags");
                        for (int i = 0; i < 30_000; i++) {
                            tags.put("k" + i, "v".repeat(20));
                        }
                    });
            case "huge-unit" -> {
                // One unit with a day of one-second samples: far more than one DynamoDB item can hold.
                long t = tree.path("start_ms").asLong();
                ObjectNode proto = (ObjectNode) samples.path(0);
                samples.removeAll();
                for (int i = 1; i <= 86_000; i++) {
                    samples.add(proto.deepCopy().put("t", t + i * 1000L).put("cpu_millis", i * 10L));
                }
                tree.put("end_ms", t + 86_000_000L);
                ((ObjectNode) unit.path("base")).put("cpu_millis", 0).put("t", t);
            }
            case "zip-bomb" -> {
                return new Case(kind, key, zipBomb);
            }
            case "too-large-object" -> {
                byte[] big = new byte[(int) IngestService.MAX_OBJECT_BYTES + 1 + r.nextInt(1000)];
                r.nextBytes(big);
                return new Case(kind, key, big);
            }
            case "unparseable-key" -> {
                String[] keys = {"batches/v1/dt=2025-11-22/host=x" + n + "/boot.json.gz", "batches/v1/oops-" + n
                        + ".json.gz", "batches/v1/dt=22-11-2025/host=x" + n + "/boot-1-1.json.gz",
                        "batches/v1/dt=2025-11-22/host=x" + n + "/b-1.json"};
                return new Case(kind, keys[r.nextInt(keys.length)], encoded);
            }
            default -> throw new IllegalStateException(kind);
        }
        return new Case(kind, key, gzip(tree.toString()));
    }

    private static void deleteAll() {
        List<software.amazon.awssdk.services.s3.model.ObjectIdentifier> ids = new ArrayList<>();
        standIns.s3.listObjectsV2Paginator(b -> b.bucket(bucket)).contents().forEach(o ->
                ids.add(software.amazon.awssdk.services.s3.model.ObjectIdentifier.builder().key(o.key()).build()));
        for (int i = 0; i < ids.size(); i += 1000) {
            List<software.amazon.awssdk.services.s3.model.ObjectIdentifier> page = ids.subList(i, Math.min(ids.size(), i + 1000));
            standIns.s3.deleteObjects(d -> d.bucket(bucket).delete(x -> x.objects(page)));
        }
    }

    private static void upload(Case c) {
        try {
            standIns.s3.putObject(p -> p.bucket(bucket).key(c.key()), RequestBody.fromBytes(c.bytes()));
        } catch (RuntimeException e) {
            throw new IllegalStateException("uploading " + c.kind() + " of " + c.bytes().length + " bytes", e);
        }
    }

    @SafeVarargs
    private static void pick(Random r, Runnable... choices) {
        choices[r.nextInt(choices.length)].run();
    }

    /** Moves every time of the batch, so only its absolute place in time is wrong. */
    private static void shiftAll(ObjectNode tree, long deltaMs) {
        tree.put("start_ms", tree.path("start_ms").asLong() + deltaMs);
        tree.put("end_ms", tree.path("end_ms").asLong() + deltaMs);
        for (JsonNode u : tree.path("units")) {
            ((ObjectNode) u).put("started_ms", u.path("started_ms").asLong() + deltaMs);
            Consumer<JsonNode> shift = s -> ((ObjectNode) s).put("t", s.path("t").asLong() + deltaMs);
            shift.accept(u.path("base"));
            u.path("samples").forEach(shift);
        }
    }

    private static ObjectNode tree(byte[] gzipped) {
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(gzipped))) {
            return (ObjectNode) BatchCodec.json().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] gzip(String s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(s.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static long usedHeapAfterGc() {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return rt.totalMemory() - rt.freeMemory();
    }
}

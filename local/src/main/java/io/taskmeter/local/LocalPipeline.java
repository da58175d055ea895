package io.taskmeter.local;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.sun.net.httpserver.HttpServer;
import io.taskmeter.aws.AwsUsageMeter;
import io.taskmeter.aws.LambdaEvents;
import io.taskmeter.aws.Provisioning;
import io.taskmeter.aws.Services;
import io.taskmeter.aws.TableNames;
import io.taskmeter.core.cost.PriceTable;
import io.taskmeter.core.rightsizing.RightsizingSettings;
import io.taskmeter.core.stall.StallSettings;
import io.taskmeter.functions.attribute.AttributeHandler;
import io.taskmeter.functions.ingest.IngestHandler;
import io.taskmeter.functions.insights.InsightsApiHandler;
import io.taskmeter.functions.insights.InsightsJobHandler;
import io.taskmeter.testkit.AwsClients;
import io.taskmeter.testkit.EmbeddedDynamo;
import io.taskmeter.testkit.EmbeddedS3;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;
import software.amazon.awssdk.services.dynamodb.model.ShardIteratorType;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The deployed pipeline on one machine: S3Proxy for S3, DynamoDB Local for DynamoDB (its stream included), the
 * real Lambda handlers invoked with the events AWS would send, the insights job on a schedule and the API on
 * 127.0.0.1. What AWS does between the parts (S3 → SQS notification, stream → Lambda) is done here explicitly.
 */
final class LocalPipeline implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(LocalPipeline.class.getName());
    static final String BUCKET = "taskmeter-local";

    private final EmbeddedS3 s3Server;
    private final EmbeddedDynamo dynamoServer;
    private final S3Client s3;
    private final DynamoDbClient ddb;
    private final DynamoDbStreamsClient streams;
    private final RequestStreamHandler ingest;
    private final RequestStreamHandler attribute;
    private final RequestStreamHandler insightsJob;
    private final RequestStreamHandler insightsApi;
    private final Map<String, String> shardIterators = new LinkedHashMap<>();
    private final String streamArn;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "taskmeter-insights-schedule");
        t.setDaemon(true);
        return t;
    });
    private final Path dataDir;
    private final Services services;
    private HttpServer http;
    private int delivered;
    /** Objects already delivered, so the metadata scan does not deliver a document twice (harmless, but noise). */
    private final java.util.Set<String> deliveredKeys = new java.util.HashSet<>();
    private long shardsSeenAt = System.nanoTime();
    private final java.util.Set<String> readShards = new java.util.HashSet<>();

    LocalPipeline(Path dataDir, double stallAfterSeconds) {
        this(dataDir, stallAfterSeconds, null);
    }

    /** @param meter counts every request the pipeline's clients make and what DynamoDB bills; null for none */
    LocalPipeline(Path dataDir, double stallAfterSeconds, AwsUsageMeter meter) {
        this.s3Server = EmbeddedS3.persistent(dataDir.resolve("s3"));
        this.dynamoServer = EmbeddedDynamo.persistent(dataDir.resolve("dynamodb"));
        this.s3 = meter == null ? AwsClients.s3(s3Server.endpoint()) : MeteredClients.s3(s3Server.endpoint(), meter);
        this.ddb = meter == null ? AwsClients.dynamo(dynamoServer.endpoint())
                : MeteredClients.dynamo(dynamoServer.endpoint(), meter);
        this.streams = DynamoDbStreamsClient.builder().endpointOverride(dynamoServer.endpoint())
                .region(software.amazon.awssdk.regions.Region.US_EAST_1)
                .credentialsProvider(software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
                        software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create("taskmeter", "local")))
                .httpClient(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.create()).build();
        TableNames tables = TableNames.defaults();
        Provisioning.createTables(ddb, tables);
        Provisioning.createBucket(s3, BUCKET);
        this.dataDir = dataDir;
        this.services = new Services(ddb, s3, tables, PriceTable.builtIn(), RightsizingSettings.defaults(),
                (subject, body) -> System.err.println("SNS: " + subject),
                StallSettings.defaults().withStallAfter(stallAfterSeconds), BUCKET,
                key -> dataDir.resolve(key).toUri().toString(), System.getenv("TASKMETER_EVENTS_TOKEN"));
        this.ingest = new IngestHandler(services);
        this.attribute = new AttributeHandler(services);
        this.insightsJob = new InsightsJobHandler(services);
        this.insightsApi = new InsightsApiHandler(services);
        this.streamArn = ddb.describeTable(b -> b.tableName(tables.usage())).table().latestStreamArn();
        // Start at the stream's end: older records were attributed by earlier runs.
        for (var shard : streams.describeStream(b -> b.streamArn(streamArn)).streamDescription().shards()) {
            shardIterators.put(shard.shardId(), streams.getShardIterator(b -> b.streamArn(streamArn)
                    .shardId(shard.shardId()).shardIteratorType(ShardIteratorType.LATEST)).shardIterator());
        }
    }

    /** What S3 → SQS → Lambda does for one new object, then what the stream mapping does for its records. */
    synchronized void deliver(String key) {
        deliveredKeys.add(key);
        try {
            byte[] failures = invoke(ingest, LambdaEvents.sqsWrapped(List.of(LambdaEvents.s3Event(BUCKET, key, 0))));
            if (!LambdaEvents.failedIds(failures).isEmpty()) {
                LOG.warning("ingest asked for a retry of " + key);
            }
            pumpStream();
            delivered++;
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "delivering " + key + " failed", e);
        }
    }

    /**
     * The local stand-in for the S3 notification of orchestrator documents: whatever wrote them under
     * {@code metadata/v1/} (the shipper's pollers, a test, a user copying files into the data directory), each new
     * one goes through ingest like a batch. Returns how many were new.
     */
    synchronized int deliverNewMetadata() {
        List<String> fresh = new ArrayList<>();
        try {
            for (var page : s3.listObjectsV2Paginator(b -> b.bucket(BUCKET)
                    .prefix(io.taskmeter.core.metadata.MetadataDocument.ROOT))) {
                page.contents().forEach(o -> {
                    if (!deliveredKeys.contains(o.key())) {
                        fresh.add(o.key());
                    }
                });
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "listing metadata documents failed", e);
            return 0;
        }
        fresh.forEach(this::deliver);
        return fresh.size();
    }

    /** Picks up metadata documents every few seconds, as the S3 notification would. */
    void watchMetadata(long everySeconds) {
        scheduler.scheduleWithFixedDelay(this::deliverNewMetadata, everySeconds, everySeconds, TimeUnit.SECONDS);
    }

    private void pumpStream() throws IOException {
        for (Map.Entry<String, String> e : new ArrayList<>(shardIterators.entrySet())) {
            String iterator = e.getValue();
            while (iterator != null) {
                String it = iterator;
                var records = streams.getRecords(b -> b.shardIterator(it));
                List<LambdaEvents.StreamKey> keys = keysOf(records);
                iterator = records.nextShardIterator();
                e.setValue(iterator);
                if (keys.isEmpty()) {
                    break;
                }
                List<String> failed = LambdaEvents.failedIds(invoke(attribute, LambdaEvents.streamEvent(keys)));
                if (!failed.isEmpty()) {
                    LOG.warning("attribute failed for stream records " + failed);
                }
            }
        }
    }

    /** The stream records as the attribute function receives them. */
    private static List<LambdaEvents.StreamKey> keysOf(
            software.amazon.awssdk.services.dynamodb.model.GetRecordsResponse records) {
        List<LambdaEvents.StreamKey> keys = new ArrayList<>();
        for (var r : records.records()) {
            keys.add(new LambdaEvents.StreamKey(r.dynamodb().sequenceNumber(), r.eventNameAsString(),
                    r.dynamodb().keys().get("pk").s(), r.dynamodb().keys().get("sk").s()));
        }
        return keys;
    }

    /** What the SQS event source mapping does with one batch of messages; returns the failed message ids. */
    List<String> ingest(List<String> keys) throws IOException {
        List<com.fasterxml.jackson.databind.node.ObjectNode> events = new ArrayList<>();
        for (String key : keys) {
            events.add(LambdaEvents.s3Event(BUCKET, key, 0));
        }
        return LambdaEvents.failedIds(invoke(ingest, LambdaEvents.sqsWrapped(events)));
    }

    /** Stores an object as the shipper would upload it. */
    void put(String key, byte[] bytes) {
        s3.putObject(b -> b.bucket(BUCKET).key(key), software.amazon.awssdk.core.sync.RequestBody.fromBytes(bytes));
    }

    /** Receives one attribute invocation: the stream records it was given and how long it ran. */
    interface AttributeInvocation {
        void done(List<LambdaEvents.StreamKey> keys, List<String> failed, long nanos);
    }

    /**
     * What the stream event source mapping does: everything new on the usage table's stream, in invocations of
     * at most {@code batchSize} records. New shards (DynamoDB rolls them over) are read from their start.
     * @return records handed to the attribute function
     */
    synchronized int attributeStream(int batchSize, AttributeInvocation sink) throws IOException {
        if (System.nanoTime() - shardsSeenAt > 30_000_000_000L) {
            for (var shard : streams.describeStream(b -> b.streamArn(streamArn)).streamDescription().shards()) {
                if (readShards.contains(shard.shardId())) {
                    continue;
                }
                shardIterators.computeIfAbsent(shard.shardId(), id -> streams.getShardIterator(b -> b
                        .streamArn(streamArn).shardId(id).shardIteratorType(ShardIteratorType.TRIM_HORIZON))
                        .shardIterator());
            }
            shardsSeenAt = System.nanoTime();
        }
        int handed = 0;
        for (Map.Entry<String, String> e : new ArrayList<>(shardIterators.entrySet())) {
            String iterator = e.getValue();
            while (iterator != null) {
                String it = iterator;
                var records = streams.getRecords(b -> b.shardIterator(it));
                List<LambdaEvents.StreamKey> keys = keysOf(records);
                iterator = records.nextShardIterator();
                e.setValue(iterator);
                for (int i = 0; i < keys.size(); i += batchSize) {
                    List<LambdaEvents.StreamKey> part = keys.subList(i, Math.min(keys.size(), i + batchSize));
                    long t0 = System.nanoTime();
                    List<String> failed = LambdaEvents.failedIds(invoke(attribute, LambdaEvents.streamEvent(part)));
                    sink.done(part, failed, System.nanoTime() - t0);
                }
                handed += keys.size();
                if (keys.isEmpty()) {
                    break;
                }
            }
            if (iterator == null) {
                shardIterators.remove(e.getKey()); // a closed shard, read to its end
                readShards.add(e.getKey());
            }
        }
        return handed;
    }

    synchronized void runInsights() {
        try {
            invoke(insightsJob, "{}".getBytes(StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "insights job failed", e);
        }
    }

    /** The weekly report, as the scheduled job writes it to S3, copied under the data directory; its HTML path. */
    synchronized Path writeReport() throws IOException {
        deliverNewMetadata();
        var written = services.weeklyReport().run(System.currentTimeMillis());
        Path html = null;
        for (var file : written.files().entrySet()) {
            Path target = dataDir.resolve(file.getKey());
            java.nio.file.Files.createDirectories(target.getParent());
            java.nio.file.Files.writeString(target, file.getValue(), StandardCharsets.UTF_8);
            if (target.toString().endsWith(".html")) {
                html = target;
            }
        }
        return html;
    }

    void scheduleInsights(long everySeconds) {
        scheduler.scheduleWithFixedDelay(this::runInsights, everySeconds, everySeconds, TimeUnit.SECONDS);
    }

    /** The API as API Gateway would call it: an HTTP API payload 2.0 event per request. */
    int serveApi(int port) throws IOException {
        http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 16);
        http.createContext("/", exchange -> {
            try (exchange) {
                String path = exchange.getRequestURI().getRawPath();
                String query = exchange.getRequestURI().getRawQuery();
                var event = com.fasterxml.jackson.databind.json.JsonMapper.builder().build().createObjectNode();
                event.put("version", "2.0").put("rawPath", path).put("rawQueryString", query == null ? "" : query);
                event.putObject("requestContext").putObject("http").put("method", exchange.getRequestMethod())
                        .put("path", path);
                // POST /v1/events: its bearer token and body, as API Gateway passes them.
                var headers = event.putObject("headers");
                exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(java.util.Locale.ROOT),
                        String.join(",", v)));
                byte[] in = exchange.getRequestBody().readNBytes(2 << 20);
                if (in.length > 0) {
                    event.put("body", java.util.Base64.getEncoder().encodeToString(in)).put("isBase64Encoded", true);
                }
                var response = com.fasterxml.jackson.databind.json.JsonMapper.builder().build()
                        .readTree(invoke(insightsApi, event.toString().getBytes(StandardCharsets.UTF_8)));
                byte[] body = response.path("body").asText().getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(response.path("statusCode").asInt(500), body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "API request failed", e);
            }
        });
        http.start();
        return http.getAddress().getPort();
    }

    /** GET on the API in-process (the report reads what users would read over HTTP). */
    String get(String pathAndQuery) throws IOException {
        int q = pathAndQuery.indexOf('?');
        var event = com.fasterxml.jackson.databind.json.JsonMapper.builder().build().createObjectNode();
        event.put("version", "2.0").put("rawPath", q < 0 ? pathAndQuery : pathAndQuery.substring(0, q))
                .put("rawQueryString", q < 0 ? "" : pathAndQuery.substring(q + 1));
        event.putObject("requestContext").putObject("http").put("method", "GET");
        var response = com.fasterxml.jackson.databind.json.JsonMapper.builder().build()
                .readTree(invoke(insightsApi, event.toString().getBytes(StandardCharsets.UTF_8)));
        return response.path("body").asText();
    }

    int delivered() {
        return delivered;
    }

    String s3Endpoint() {
        return s3Server.endpoint().toString();
    }

    private static byte[] invoke(RequestStreamHandler handler, byte[] event) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        handler.handleRequest(new ByteArrayInputStream(event), out, null);
        return out.toByteArray();
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        if (http != null) {
            http.stop(0);
        }
        streams.close();
        s3.close();
        ddb.close();
        dynamoServer.close();
        s3Server.close();
    }
}

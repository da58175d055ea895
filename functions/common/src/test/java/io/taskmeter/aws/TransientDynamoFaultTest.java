package io.taskmeter.aws;

import io.taskmeter.core.batch.Batch;
import io.taskmeter.core.batch.BatchCodec;
import io.taskmeter.core.batch.BatchKey;
import io.taskmeter.core.cost.PriceTable;
import io.taskmeter.core.rightsizing.RightsizingSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.ProvisionedThroughputExceededException;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Throttling and 5xx between the SDK and DynamoDB Local, injected by an interceptor on the client the services
 * use: before a request is sent (nothing written) and after its response came back (written, but the caller sees
 * an error: the ambiguous case). With the SDK's retries the pipeline completes; without them, the failed messages
 * and stream records are reported and redelivered (as SQS and the stream mapping would), and in both cases every
 * stored item and API document equals a run without faults: a partial write never leaves a half-counted batch.
 */
class TransientDynamoFaultTest {
    static final long NOW = DeliveryOrderPropertyTest.NOW;

    static StandIns standIns;
    static String bucket;
    static List<Batch> batches;
    static DeliveryOrderPropertyTest.Snapshot reference;

    @BeforeAll
    static void start() throws IOException {
        standIns = StandIns.start();
        batches = PipelineScenario.batches();
        bucket = standIns.freshBucket("faults");
        for (Batch b : batches) {
            standIns.s3.putObject(p -> p.bucket(bucket).key(BatchKey.of("", b).key()),
                    RequestBody.fromBytes(BatchCodec.encode(b)));
        }
        reference = run(standIns.ddb, null).snapshot();
    }

    @AfterAll
    static void stop() {
        standIns.close();
    }

    /** Fails a share of DynamoDB calls, seeded, before sending or after the response arrived. */
    static final class Faults implements ExecutionInterceptor {
        final Random random;
        final double before;
        final double after;
        final AtomicInteger injected = new AtomicInteger();
        volatile boolean on = true;

        Faults(long seed, double before, double after) {
            this.random = new Random(seed);
            this.before = before;
            this.after = after;
        }

        @Override
        public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
            if (on && random.nextDouble() < before) {
                injected.incrementAndGet();
                throw ProvisionedThroughputExceededException.builder().statusCode(400)
                        .awsErrorDetails(AwsErrorDetails.builder().errorCode("ProvisionedThroughputExceededException")
                                .errorMessage("injected throttling").serviceName("DynamoDb").build())
                        .message("injected throttling").build();
            }
        }

        @Override
        public void afterTransmission(Context.AfterTransmission context, ExecutionAttributes attributes) {
            if (on && random.nextDouble() < after) {
                injected.incrementAndGet();
                throw DynamoDbException.builder().statusCode(500)
                        .awsErrorDetails(AwsErrorDetails.builder().errorCode("InternalServerError")
                                .errorMessage("injected 500 after the request was applied").serviceName("DynamoDb")
                                .build())
                        .message("injected 500 after the request was applied").build();
            }
        }
    }

    record Result(DeliveryOrderPropertyTest.Snapshot snapshot, int redeliveries) {
    }

    @Test
    void withTheSdkRetriesTheBatchesGoThroughAndCountOnce() throws IOException {
        Faults faults = new Faults(11, 0.06, 0.04);
        try (DynamoDbClient ddb = client(faults, false)) {
            Result r = run(ddb, faults);
            assertTrue(faults.injected.get() > 10, "faults injected: " + faults.injected.get());
            System.out.printf("faults with SDK retries: %d injected, %d redeliveries%n", faults.injected.get(),
                    r.redeliveries());
            compare(r.snapshot());
        }
    }

    @Test
    void withoutRetriesFailedRecordsAreReportedAndTheirRedeliveryNeverDoubleCounts() throws IOException {
        for (long seed = 1; seed <= 2; seed++) {
            Faults faults = new Faults(seed, 0.08, 0.08);
            try (DynamoDbClient ddb = client(faults, true)) {
                Result r = run(ddb, faults);
                assertTrue(r.redeliveries() > 0, "the faults made some deliveries fail and be retried");
                System.out.printf("faults without SDK retries (seed %d): %d injected, %d redeliveries%n", seed,
                        faults.injected.get(), r.redeliveries());
                compare(r.snapshot());
            }
        }
    }

    private static DynamoDbClient client(Faults faults, boolean noRetries) {
        return DynamoDbClient.builder().endpointOverride(standIns.dynamo.endpoint()).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("taskmeter", "local")))
                .httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(c -> {
                    c.addExecutionInterceptor(faults);
                    if (noRetries) {
                        c.retryStrategy(AwsRetryStrategy.doNotRetry());
                    }
                }).build();
    }

    /**
     * Ingests every batch in order through SQS-shaped events, redelivering the messages the response lists; then
     * delivers a stream record for every usage item (what DynamoDB Streams would have emitted), redelivering from
     * the first failed record on, as the stream mapping does; then runs the job without faults.
     */
    private static Result run(DynamoDbClient ddb, Faults faults) throws IOException {
        TableNames tables = standIns.freshTables("faults");
        Services services = new Services(ddb, standIns.s3, tables, PriceTable.builtIn(), RightsizingSettings.defaults());
        int redeliveries = 0;
        for (Batch b : batches) {
            String key = BatchKey.of("", b).key();
            for (int attempt = 0; ; attempt++) {
                if (attempt > 50) {
                    fail("batch " + b.batchId() + " never went through");
                }
                byte[] event = LambdaEvents.sqsWrapped(List.of(LambdaEvents.s3Event(bucket, key, 1)));
                List<String> failed = LambdaEvents.failedIds(EventHandling.ingest(services.ingest(),
                        LambdaEvents.read(new ByteArrayInputStream(event))));
                if (failed.isEmpty()) {
                    break;
                }
                redeliveries++;
            }
        }
        List<LambdaEvents.StreamKey> records = new ArrayList<>();
        if (faults != null) {
            faults.on = false;
        }
        int seq = 0;
        for (var page : standIns.ddb.scanPaginator(ScanRequest.builder().tableName(tables.usage()).build())) {
            for (var item : page.items()) {
                if (item.get("pk").s().startsWith("U#")) {
                    records.add(new LambdaEvents.StreamKey(String.format("%06d", ++seq), "INSERT",
                            item.get("pk").s(), item.get("sk").s()));
                }
            }
        }
        if (faults != null) {
            faults.on = true;
        }
        for (int from = 0; from < records.size(); from += 4) {
            List<LambdaEvents.StreamKey> chunk = new ArrayList<>(records.subList(from, Math.min(records.size(), from + 4)));
            for (int attempt = 0; !chunk.isEmpty(); attempt++) {
                if (attempt > 50) {
                    fail("stream records " + chunk + " never went through");
                }
                List<String> failed = LambdaEvents.failedIds(EventHandling.attribute(services.attribute(),
                        LambdaEvents.read(new ByteArrayInputStream(LambdaEvents.streamEvent(chunk)))));
                if (failed.isEmpty()) {
                    break;
                }
                redeliveries++;
                String first = failed.stream().sorted().findFirst().orElseThrow();
                chunk.removeIf(k -> k.sequenceNumber().compareTo(first) < 0);
            }
        }
        if (faults != null) {
            faults.on = false;
        }
        Services clean = new Services(standIns.ddb, standIns.s3, tables, PriceTable.builtIn(),
                RightsizingSettings.defaults());
        clean.insightsJob().run(NOW);
        return new Result(DeliveryOrderPropertyTest.snapshot(standIns, tables, clean.insightsApi()), redeliveries);
    }

    private static void compare(DeliveryOrderPropertyTest.Snapshot got) {
        assertEquals(String.join("\n", reference.usage()), String.join("\n", got.usage()), "usage table");
        assertEquals(String.join("\n", reference.attempts()), String.join("\n", got.attempts()), "attempts table");
        assertEquals(String.join("\n", reference.insights()), String.join("\n", got.insights()), "insights table");
        for (Map.Entry<String, String> e : reference.api().entrySet()) {
            assertEquals(e.getValue(), got.api().get(e.getKey()), "GET " + e.getKey());
        }
    }
}

package io.taskmeter.functions.ingest;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.taskmeter.aws.LambdaEvents;
import io.taskmeter.aws.StandInsResource;
import io.taskmeter.aws.TableNames;
import io.taskmeter.aws.TestBatches;
import io.taskmeter.core.batch.Batch;
import io.taskmeter.core.batch.BatchCodec;
import io.taskmeter.core.batch.BatchKey;
import io.taskmeter.testkit.AwsClients;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@QuarkusTest
@QuarkusTestResource(StandInsResource.class)
class IngestHandlerTest {
    static final String BUCKET = StandInsResource.BUCKET;

    @Inject
    IngestHandler handler;

    @ConfigProperty(name = "taskmeter.aws.s3-endpoint")
    URI s3Endpoint;

    @ConfigProperty(name = "taskmeter.aws.dynamodb-endpoint")
    URI dynamoEndpoint;

    @Test
    void storesUsagePerUnitAndHeartbeatAndDuplicateChangesNothing() throws Exception {
        try (S3Client s3 = AwsClients.s3(s3Endpoint); DynamoDbClient ddb = AwsClients.dynamo(dynamoEndpoint)) {
            Batch batch = TestBatches.airflow("host-dup", 1, 60, 0.5, 0, "1");
            String key = upload(s3, "", batch);
            List<String> failed = invoke(List.of(key));
            assertTrue(failed.isEmpty(), failed.toString());

            Map<String, AttributeValue> item = usageItem(ddb, batch);
            assertEquals(30.0, Double.parseDouble(item.get("cpu_s").n()), 1e-9, "0.5 cores for 60 s");
            assertEquals(60_000_000L, Long.parseLong(item.get("write_bytes").n()));
            Map<String, AttributeValue> heartbeat = ddb.getItem(b -> b.tableName(TableNames.defaults().usage())
                    .key(Map.of("pk", AttributeValue.fromS("H#host-dup"), "sk", AttributeValue.fromS("HEARTBEAT"))))
                    .item();
            assertEquals(String.valueOf(batch.endMs()), heartbeat.get("last_batch_end_ms").n());

            assertTrue(invoke(List.of(key, key)).isEmpty());
            assertEquals(item, usageItem(ddb, batch), "a duplicate delivery must not change any stored number");
            assertEquals(heartbeat, ddb.getItem(b -> b.tableName(TableNames.defaults().usage())
                    .key(Map.of("pk", AttributeValue.fromS("H#host-dup"), "sk", AttributeValue.fromS("HEARTBEAT"))))
                    .item());
        }
    }

    @Test
    void malformedObjectsAreQuarantinedWithReasonAndDoNotFailTheOthers() throws Exception {
        try (S3Client s3 = AwsClients.s3(s3Endpoint); DynamoDbClient ddb = AwsClients.dynamo(dynamoEndpoint)) {
            Batch good = TestBatches.airflow("host-q", 1, 10, 1.0, 0, "1");
            String goodKey = upload(s3, "", good);
            Batch other = TestBatches.airflow("host-q", 2, 10, 1.0, 10_000, "1");
            byte[] encoded = BatchCodec.encode(other);
            String truncatedKey = BatchKey.of("", other).key();
            s3.putObject(b -> b.bucket(BUCKET).key(truncatedKey),
                    RequestBody.fromBytes(Arrays.copyOf(encoded, encoded.length / 2)));
            // A batch uploaded under another host's key: the key is what duplicates are recognised by.
            String wrongHostKey = BatchKey.of("", TestBatches.airflow("host-other", 3, 10, 1.0, 0, "1")).key();
            s3.putObject(b -> b.bucket(BUCKET).key(wrongHostKey), RequestBody.fromBytes(
                    BatchCodec.encode(TestBatches.airflow("host-q", 3, 10, 1.0, 20_000, "1"))));

            List<String> failed = invoke(List.of(truncatedKey, goodKey, wrongHostKey));
            assertTrue(failed.isEmpty(), "quarantined input is handled, not retried: " + failed);
            assertEquals(10.0, Double.parseDouble(usageItem(ddb, good).get("cpu_s").n()), 1e-9);

            String reason = s3.getObjectAsBytes(b -> b.bucket(BUCKET).key("quarantine/" + truncatedKey + ".reason.json"))
                    .asString(StandardCharsets.UTF_8);
            assertTrue(reason.contains("truncated"), reason);
            assertEquals(encoded.length / 2, s3.getObjectAsBytes(b -> b.bucket(BUCKET).key("quarantine/" + truncatedKey))
                    .asByteArray().length, "the bad object is kept whole for inspection");
            String wrongHost = s3.getObjectAsBytes(b -> b.bucket(BUCKET).key("quarantine/" + wrongHostKey + ".reason.json"))
                    .asString(StandardCharsets.UTF_8);
            assertTrue(wrongHost.contains("host-other"), wrongHost);
        }
    }

    @Test
    void plainS3EventsAreIngestedToo() throws Exception {
        try (S3Client s3 = AwsClients.s3(s3Endpoint); DynamoDbClient ddb = AwsClients.dynamo(dynamoEndpoint)) {
            Batch batch = TestBatches.airflow("host-plain", 1, 5, 2.0, 0, "1");
            String key = upload(s3, "", batch);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            handler.handleRequest(new ByteArrayInputStream(LambdaEvents.s3Event(BUCKET, key, 1).toString()
                    .getBytes(StandardCharsets.UTF_8)), out, null);
            assertEquals(10.0, Double.parseDouble(usageItem(ddb, batch).get("cpu_s").n()), 1e-9);
        }
    }

    private List<String> invoke(List<String> keys) throws Exception {
        byte[] event = LambdaEvents.sqsWrapped(keys.stream().map(k -> LambdaEvents.s3Event(BUCKET, k, 1)).toList());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        handler.handleRequest(new ByteArrayInputStream(event), out, null);
        return LambdaEvents.failedIds(out.toByteArray());
    }

    private static String upload(S3Client s3, String prefix, Batch batch) {
        String key = BatchKey.of(prefix, batch).key();
        s3.putObject(b -> b.bucket(BUCKET).key(key), RequestBody.fromBytes(BatchCodec.encode(batch)));
        return key;
    }

    private static Map<String, AttributeValue> usageItem(DynamoDbClient ddb, Batch batch) {
        String unit = batch.units().get(0).unitId();
        return ddb.getItem(b -> b.tableName(TableNames.defaults().usage()).consistentRead(true)
                .key(Map.of("pk", AttributeValue.fromS("U#" + unit), "sk", AttributeValue.fromS("B#" + batch.batchId()))))
                .item();
    }
}

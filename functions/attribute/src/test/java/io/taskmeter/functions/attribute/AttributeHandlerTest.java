package io.taskmeter.functions.attribute;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.taskmeter.aws.Deliveries;
import io.taskmeter.aws.LambdaEvents;
import io.taskmeter.aws.Services;
import io.taskmeter.aws.StandInsResource;
import io.taskmeter.aws.TableNames;
import io.taskmeter.aws.TestBatches;
import io.taskmeter.core.attribution.AttemptIdentity;
import io.taskmeter.core.batch.Batch;
import io.taskmeter.testkit.AwsClients;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.s3.S3Client;

import java.net.URI;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@QuarkusTest
@QuarkusTestResource(StandInsResource.class)
class AttributeHandlerTest {
    @Inject
    AttributeHandler handler;

    @Inject
    Services services;

    @ConfigProperty(name = "taskmeter.aws.s3-endpoint")
    URI s3Endpoint;

    @ConfigProperty(name = "taskmeter.aws.dynamodb-endpoint")
    URI dynamoEndpoint;

    @Test
    void unitUsageBecomesAttemptUsageOnceWhateverTheDeliveries() throws Exception {
        try (S3Client s3 = AwsClients.s3(s3Endpoint); DynamoDbClient ddb = AwsClients.dynamo(dynamoEndpoint)) {
            Batch first = TestBatches.airflow("host-a", 1, 30, 0.5, 0, "2");
            Batch second = TestBatches.airflow("host-a", 2, 30, 1.0, 15_000, "2");
            List<LambdaEvents.StreamKey> keys = List.of(ingest(s3, first), ingest(s3, second));

            // Out of order, and the second record delivered twice.
            assertTrue(invoke(List.of(keys.get(1), keys.get(0), keys.get(1))).isEmpty());
            assertTrue(invoke(keys).isEmpty());

            String attemptId = AttemptIdentity.of("airflow", "title+env", first.units().get(0).tags(),
                    first.units().get(0).unitId()).attemptId();
            List<Map<String, AttributeValue>> items = ddb.query(b -> b.tableName(TableNames.defaults().attempts())
                    .keyConditionExpression("pk = :pk")
                    .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS("A#" + attemptId)))).items();
            assertEquals(3, items.size(), "META and one contribution per batch: " + items);
            double cpu = items.stream().filter(i -> i.get("sk").s().startsWith("C#"))
                    .mapToDouble(i -> Double.parseDouble(i.get("cpu_s").n())).sum();
            assertEquals(15.0 + 30.0, cpu, 1e-9);
            Map<String, AttributeValue> meta = items.stream().filter(i -> i.get("sk").s().equals("META")).findFirst()
                    .orElseThrow();
            assertEquals("etl", meta.get("dag_or_flow").s());
            assertEquals("extract", meta.get("task").s());
            assertEquals("2", meta.get("try_number").s());
            assertEquals("title+env", meta.get("how").s());
        }
    }

    @Test
    void recordsOfOtherItemsAreIgnored() throws Exception {
        List<String> failed = invoke(List.of(new LambdaEvents.StreamKey("1", "INSERT", "H#host", "HEARTBEAT"),
                new LambdaEvents.StreamKey("2", "REMOVE", "U#gone", "B#x")));
        assertTrue(failed.isEmpty());
    }

    private LambdaEvents.StreamKey ingest(S3Client s3, Batch batch) {
        return Deliveries.ingest(services, s3, batch);
    }

    private List<String> invoke(List<LambdaEvents.StreamKey> keys) throws Exception {
        return Deliveries.stream(handler, keys);
    }
}

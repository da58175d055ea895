package io.taskmeter.aws;

import io.taskmeter.testkit.EmbeddedDynamo;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The meter against DynamoDB Local: it must report units by DynamoDB's rules and leave results unchanged. */
class AwsUsageMeterTest {

    @Test
    void countsRequestsAndTheUnitsDynamoDbReports() {
        AwsUsageMeter meter = new AwsUsageMeter();
        try (EmbeddedDynamo dynamo = EmbeddedDynamo.inMemory();
             DynamoDbClient ddb = DynamoDbClient.builder().endpointOverride(dynamo.endpoint()).region(Region.US_EAST_1)
                     .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("a", "b")))
                     .httpClient(UrlConnectionHttpClient.create())
                     .overrideConfiguration(c -> c.addExecutionInterceptor(meter)).build()) {
            TableNames tables = new TableNames("m-usage", "m-attempts", "m-insights");
            Provisioning.createTables(ddb, tables);
            // 2,500 bytes of payload: 3 write units (1 KB each), 1 strongly consistent read unit (4 KB).
            Map<String, AttributeValue> item = new HashMap<>(Items.key("U#x", "B#1"));
            item.put("payload", AttributeValue.fromS("p".repeat(2500)));
            long size = AwsUsageMeter.itemBytes(item);
            assertEquals(2 + 3 + 2 + 3 + 7 + 2500, size);
            ddb.putItem(b -> b.tableName("m-usage").item(item).conditionExpression("attribute_not_exists(pk)"));
            assertThrows(ConditionalCheckFailedException.class, () -> ddb.putItem(b -> b.tableName("m-usage")
                    .item(item).conditionExpression("attribute_not_exists(pk)")));
            var got = ddb.getItem(b -> b.tableName("m-usage").key(Items.key("U#x", "B#1")).consistentRead(true));
            assertEquals(item, got.item(), "asking for capacity must not change what is read");
            assertEquals(null, got.consumedCapacity(), "the caller did not ask for capacity and gets none");

            assertEquals(0, meter.responsesWithoutCapacity(), "DynamoDB Local reports consumed capacity");
            assertEquals(3.0 + AwsUsageMeter.FAILED_CONDITIONAL_WRITE_UNITS, meter.writeUnits().get("m-usage"));
            assertEquals(1.0, meter.readUnits().get("m-usage"));
            assertEquals(size * 2, meter.bytesPut().get("m-usage"), "both puts were sent");
            assertEquals(1, meter.failedConditionalWrites());
            assertEquals(2, meter.requests("DynamoDb.PutItem"));
            assertEquals(1, meter.requests("DynamoDb.GetItem"));
        }
    }
}

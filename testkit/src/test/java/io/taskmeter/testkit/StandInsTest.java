package io.taskmeter.testkit;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.s3.S3Client;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StandInsTest {
    @Test
    void bothStandInsServeRealSdkClientsInOneJvm() throws Exception {
        Path dir = Files.createTempDirectory("standins");
        try (EmbeddedDynamo dynamo = EmbeddedDynamo.persistent(dir.resolve("ddb"));
             EmbeddedS3 s3 = EmbeddedS3.persistent(dir.resolve("s3"));
             DynamoDbClient ddb = AwsClients.dynamo(dynamo.endpoint());
             S3Client s3c = AwsClients.s3(s3.endpoint())) {
            ddb.createTable(b -> b.tableName("standins").billingMode(BillingMode.PAY_PER_REQUEST)
                    .attributeDefinitions(AttributeDefinition.builder().attributeName("pk")
                            .attributeType(ScalarAttributeType.S).build())
                    .keySchema(KeySchemaElement.builder().attributeName("pk").keyType(KeyType.HASH).build()));
            assertTrue(ddb.listTables().tableNames().contains("standins"));
            s3c.createBucket(b -> b.bucket("standins"));
            s3c.putObject(b -> b.bucket("standins").key("k/x.txt"), RequestBody.fromString("hello"));
            assertEquals("hello", s3c.getObjectAsBytes(b -> b.bucket("standins").key("k/x.txt")).asString(StandardCharsets.UTF_8));
        }
    }
}

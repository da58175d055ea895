package io.taskmeter.aws;

import io.taskmeter.core.batch.Batch;
import io.taskmeter.core.batch.BatchCodec;
import io.taskmeter.core.batch.BatchKey;
import io.taskmeter.core.cost.PriceTable;
import io.taskmeter.core.rightsizing.RightsizingSettings;
import org.junit.jupiter.api.Test;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.localstack.LocalStackContainer;
import org.testcontainers.utility.DockerImageName;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The same ingest → attribute → insights path as the Quarkus tests, against LocalStack's S3 and DynamoDB, where
 * Docker is available; skipped (not failed) where it is not.
 */
@Testcontainers(disabledWithoutDocker = true)
class LocalStackPipelineTest {
    @Container
    static final LocalStackContainer LOCALSTACK = new LocalStackContainer(
            DockerImageName.parse("localstack/localstack:4.0")).withServices("s3", "dynamodb");

    @Test
    void batchFlowsToTheApiAndADuplicateChangesNothing() {
        var creds = StaticCredentialsProvider.create(AwsBasicCredentials.create(LOCALSTACK.getAccessKey(),
                LOCALSTACK.getSecretKey()));
        try (DynamoDbClient ddb = DynamoDbClient.builder().endpointOverride(LOCALSTACK.getEndpoint())
                .region(Region.of(LOCALSTACK.getRegion())).credentialsProvider(creds)
                .httpClient(UrlConnectionHttpClient.create()).build();
             S3Client s3 = S3Client.builder().endpointOverride(LOCALSTACK.getEndpoint()).forcePathStyle(true)
                     .region(Region.of(LOCALSTACK.getRegion())).credentialsProvider(creds)
                     .httpClient(UrlConnectionHttpClient.create()).build()) {
            Provisioning.createTables(ddb, TableNames.defaults());
            Provisioning.createBucket(s3, "taskmeter-localstack");
            Services services = new Services(ddb, s3, TableNames.defaults(), PriceTable.builtIn(),
                    RightsizingSettings.defaults());
            Batch batch = TestBatches.airflow("host-ls", 1, 60, 0.5, 0, "1");
            String key = BatchKey.of("", batch).key();
            s3.putObject(b -> b.bucket("taskmeter-localstack").key(key), RequestBody.fromBytes(BatchCodec.encode(batch)));
            assertEquals(IngestService.Status.INGESTED, services.ingest().ingest("taskmeter-localstack", key).status());
            assertEquals(IngestService.Status.DUPLICATE, services.ingest().ingest("taskmeter-localstack", key).status());
            services.attribute().attribute("U#" + batch.units().get(0).unitId(), "B#" + batch.batchId());
            services.attribute().attribute("U#" + batch.units().get(0).unitId(), "B#" + batch.batchId());
            services.insightsJob().run(TestBatches.T0 + 86_400_000L);
            InsightsApi.Response r = services.insightsApi().handle("GET", "/v1/costs", Map.of("groupBy", "task"));
            assertEquals(200, r.status());
            assertTrue(r.body().contains("\"cpu_seconds\":30.0"), r.body());
        }
    }
}

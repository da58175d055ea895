package io.taskmeter.functions.attribute;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.taskmeter.aws.Deliveries;
import io.taskmeter.aws.LambdaEvents;
import io.taskmeter.aws.Services;
import io.taskmeter.aws.StandInsResource;
import io.taskmeter.aws.TestBatches;
import io.taskmeter.core.batch.Batch;
import io.taskmeter.testkit.AwsClients;
import io.taskmeter.testkit.LocalSns;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;

import java.net.URI;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Stall alerts over a real SNS connection (a local Publish endpoint); thresholds scaled to 5 s for the test. */
@QuarkusTest
@QuarkusTestResource(StandInsResource.class)
class StallAlertTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    AttributeHandler handler;

    @Inject
    Services services;

    @ConfigProperty(name = "taskmeter.aws.s3-endpoint")
    URI s3Endpoint;

    @Test
    void oneAlertPerEpisodeOneRecoveryAndNothingTwice() throws Exception {
        LocalSns sns = StandInsResource.sns;
        try (S3Client s3 = AwsClients.s3(s3Endpoint)) {
            LambdaEvents.StreamKey idle1 = ingest(s3, TestBatches.idle("host-s", 1, 4, false, "1"));
            LambdaEvents.StreamKey idle2 = ingest(s3, TestBatches.idle("host-s", 2, 4, false, "1"));
            assertTrue(invoke(List.of(idle1)).isEmpty());
            assertEquals(0, alerts(sns, "stall").size(), "4 idle seconds are below the 5 s threshold");

            assertTrue(invoke(List.of(idle2, idle2, idle1)).isEmpty());
            List<JsonNode> alerts = alerts(sns, "stall");
            assertEquals(1, alerts.size(), "one message per episode, duplicates included: " + sns.messages());
            JsonNode body = alerts.get(0);
            assertEquals("open", body.path("state").asText());
            assertEquals("etl", body.path("dag_or_flow").asText());
            assertEquals("stuck", body.path("task").asText());
            assertEquals("1", body.path("try_number").asText());
            assertEquals("host-s", body.path("host").asText());
            assertTrue(body.path("api_path").asText().startsWith("/v1/attempts/"));
            assertTrue(sns.messages().get(0).subject().contains("etl.stuck try 1 stall"), sns.messages().get(0).subject());
            assertEquals(StandInsResource.TOPIC, sns.messages().get(0).topicArn());

            // SNS down while the recovery is sent: the record is retried and the recovery still goes out once.
            LambdaEvents.StreamKey busy = ingest(s3, TestBatches.idle("host-s", 3, 4, true, "1"));
            sns.failNext(10);
            assertEquals(List.of(busy.sequenceNumber()), invoke(List.of(busy)));
            sns.failNext(0);
            assertTrue(invoke(List.of(busy, busy)).isEmpty());
            List<JsonNode> all = alerts(sns, "stall");
            assertEquals(2, all.size(), sns.messages().toString());
            assertEquals("recovered", all.get(1).path("state").asText());
        }
        var page = services.insightsApi().handle("GET", "/v1/stalls", Map.of());
        assertEquals(200, page.status());
        assertTrue(page.body().contains("\"kind\":\"stall\""), page.body());
    }

    private static List<JsonNode> alerts(LocalSns sns, String kind) throws Exception {
        List<JsonNode> out = new java.util.ArrayList<>();
        for (LocalSns.Message m : sns.messages()) {
            JsonNode n = JSON.readTree(m.body());
            if (kind.equals(n.path("kind").asText())) {
                out.add(n);
            }
        }
        return out;
    }

    private LambdaEvents.StreamKey ingest(S3Client s3, Batch batch) {
        return Deliveries.ingest(services, s3, batch);
    }

    private List<String> invoke(List<LambdaEvents.StreamKey> keys) throws Exception {
        return Deliveries.stream(handler, keys);
    }
}

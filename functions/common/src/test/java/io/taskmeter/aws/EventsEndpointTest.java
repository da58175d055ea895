package io.taskmeter.aws;

import io.taskmeter.core.cost.PriceTable;
import io.taskmeter.core.metadata.MetadataDocument;
import io.taskmeter.core.rightsizing.RightsizingSettings;
import io.taskmeter.core.stall.StallSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * POST /v1/events against S3Proxy and DynamoDB Local: the shared secret is required, accepted events become
 * metadata documents under metadata/v1/ that ingest stores, and the same event pushed twice is one object.
 */
class EventsEndpointTest {
    static final String TOKEN = "s3cr3t-events-token";
    static StandIns standIns;

    @BeforeAll
    static void start() {
        standIns = StandIns.start();
    }

    @AfterAll
    static void stop() {
        standIns.close();
    }

    private static byte[] fixture(String name) throws Exception {
        return Files.readAllBytes(Path.of("../../core/src/test/resources/orchestrators", name));
    }

    private static List<String> metadataKeys(String bucket) {
        return standIns.s3.listObjectsV2(b -> b.bucket(bucket).prefix(MetadataDocument.ROOT)).contents().stream()
                .map(o -> o.key()).toList();
    }

    @Test
    void pushedEventsNeedTheSecretAndLandAsMetadataDocuments() throws Exception {
        String bucket = standIns.freshBucket("events");
        TableNames tables = standIns.freshTables("events");
        Services services = new Services(standIns.ddb, standIns.s3, tables, PriceTable.builtIn(),
                RightsizingSettings.defaults(), new LogAlertPublisher(), StallSettings.defaults(), bucket, k -> k,
                TOKEN);
        InsightsApi api = services.insightsApi();
        byte[] flowRun = fixture("prefect3-event-flow-run-running.json");

        assertEquals(401, api.handle("POST", "/v1/events", Map.of(), Map.of(), flowRun).status());
        assertEquals(401, api.handle("POST", "/v1/events", Map.of(),
                Map.of("Authorization", "Bearer " + TOKEN + "x"), flowRun).status());
        assertEquals(401, api.handle("POST", "/v1/events", Map.of(), Map.of("authorization", TOKEN), flowRun).status(),
                "the token without the Bearer scheme");
        assertTrue(metadataKeys(bucket).isEmpty(), "nothing written without the secret");

        Map<String, String> auth = Map.of("authorization", "Bearer " + TOKEN);
        InsightsApi.Response ok = api.handle("POST", "/v1/events", Map.of(), auth, flowRun);
        assertEquals(202, ok.status(), ok.body());
        assertEquals(202, api.handle("POST", "/v1/events", Map.of(), auth, flowRun).status());
        List<String> keys = metadataKeys(bucket);
        assertEquals(1, keys.size(), "the same event twice is one document: " + keys);
        assertTrue(keys.get(0).startsWith(MetadataDocument.ROOT + "prefect/"), keys.toString());
        IngestService.Outcome ingested = services.ingest().ingest(bucket, keys.get(0));
        assertEquals(IngestService.Status.INGESTED, ingested.status(), ingested.toString());
        assertEquals(1, ingested.unitsStored());

        String listener = "{\"task_instances\": [{\"dag_id\": \"etl\", \"task_id\": \"load\", \"dag_run_id\": "
                + "\"manual__1\", \"try_number\": 1, \"map_index\": -1, \"hostname\": \"worker-1\", \"pid\": 4242, "
                + "\"start_date\": \"2026-11-29T10:00:00+00:00\", \"state\": \"running\"}]}";
        InsightsApi.Response airflow = api.handle("POST", "/v1/events", Map.of(), auth,
                listener.getBytes(StandardCharsets.UTF_8));
        assertEquals(202, airflow.status(), airflow.body());
        assertTrue(metadataKeys(bucket).stream().anyMatch(k -> k.startsWith(MetadataDocument.ROOT + "airflow/")));

        InsightsApi.Response garbage = api.handle("POST", "/v1/events", Map.of(), auth,
                "{\"hello\": 1}".getBytes(StandardCharsets.UTF_8));
        assertEquals(400, garbage.status());
        assertTrue(garbage.body().contains("unrecognised event"), garbage.body());
        assertEquals(400, api.handle("POST", "/v1/events", Map.of(), auth, "not json".getBytes()).status());
        assertEquals(405, api.handle("GET", "/v1/events", Map.of()).status());
    }

    @Test
    void withoutASecretTheEndpointIsOff() throws Exception {
        Services services = new Services(standIns.ddb, standIns.s3, standIns.freshTables("off"), PriceTable.builtIn(),
                RightsizingSettings.defaults());
        InsightsApi.Response r = services.insightsApi().handle("POST", "/v1/events", Map.of(),
                Map.of("authorization", "Bearer "), fixture("prefect3-event-flow-run-running.json"));
        assertEquals(404, r.status(), r.body());
    }
}

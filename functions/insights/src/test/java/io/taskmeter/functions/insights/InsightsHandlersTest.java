package io.taskmeter.functions.insights;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.taskmeter.aws.Services;
import io.taskmeter.aws.StandInsResource;
import io.taskmeter.aws.TestBatches;
import io.taskmeter.core.batch.Batch;
import io.taskmeter.core.batch.BatchCodec;
import io.taskmeter.core.batch.BatchKey;
import io.taskmeter.testkit.AwsClients;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@QuarkusTest
@QuarkusTestResource(StandInsResource.class)
class InsightsHandlersTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    @Named("insights-job")
    InsightsJobHandler job;

    @Inject
    @Named("insights-api")
    InsightsApiHandler api;

    @Inject
    Services services;

    @ConfigProperty(name = "taskmeter.aws.s3-endpoint")
    URI s3Endpoint;

    @BeforeEach
    void twoTriesOfOneTask() throws Exception {
        try (S3Client s3 = AwsClients.s3(s3Endpoint)) {
            pipe(s3, TestBatches.airflow("host-i", 1, 60, 0.5, 0, "1"));
            pipe(s3, TestBatches.airflow("host-j", 1, 60, 0.25, 0, "2"));
        }
        job.handleRequest(new ByteArrayInputStream("{}".getBytes(StandardCharsets.UTF_8)), new ByteArrayOutputStream(), null);
    }

    @Test
    void apiServesTasksAttemptsAndCostsAsJson() throws Exception {
        JsonNode tasks = get("/v1/tasks", "");
        assertEquals(200, tasks.path("statusCode").asInt());
        JsonNode body = JSON.readTree(tasks.path("body").asText());
        JsonNode task = body.path("tasks").path(0);
        assertEquals("airflow:etl:extract", task.path("id").asText());
        assertEquals(2, task.path("attempts").asInt());
        JsonNode rec = task.path("recommendation");
        assertTrue(rec.path("cpu_cores").asDouble() > 0 && rec.path("memory_bytes").asLong() > 0, rec.toString());

        JsonNode detail = JSON.readTree(get("/v1/tasks/" + URLEncoder.encode("airflow:etl:extract", StandardCharsets.UTF_8), "")
                .path("body").asText());
        assertEquals(2, detail.path("attempts").size());
        JsonNode attempt = detail.path("attempts").path(0);
        double cpu = attempt.path("usage").path("cpu_seconds").asDouble();
        assertTrue(cpu == 30.0 || cpu == 15.0, "the attempts burnt 30 and 15 CPU-seconds: " + cpu);
        assertTrue(attempt.path("cost").path("allocated_usd").asDouble() >= attempt.path("cost").path("used_usd").asDouble());

        JsonNode one = get("/v1/attempts/" + attempt.path("id").asText(), "");
        assertEquals(200, one.path("statusCode").asInt());
        assertEquals(attempt.path("id").asText(), JSON.readTree(one.path("body").asText()).path("id").asText());

        JsonNode costs = JSON.readTree(get("/v1/costs", "groupBy=dag").path("body").asText());
        assertEquals("etl", costs.path("costs").path(0).path("key").asText());
        assertEquals(2, costs.path("costs").path(0).path("attempts").asInt());

        // The test batches start at 2025-11-22T08:26:40Z: a range around them finds both, one after finds none.
        JsonNode inRange = JSON.readTree(get("/v1/costs", "groupBy=task&from=2025-11-22&to=2025-11-23").path("body").asText());
        assertEquals(2, inRange.path("costs").path(0).path("attempts").asInt(), inRange.toString());
        assertEquals(costs.path("costs").path(0).path("allocated_usd").asDouble(),
                inRange.path("costs").path(0).path("allocated_usd").asDouble(), 1e-9);
        JsonNode after = JSON.readTree(get("/v1/costs", "from=2025-11-23&to=2025-11-30").path("body").asText());
        assertEquals(0, after.path("costs").size());

        JsonNode hosts = JSON.readTree(get("/v1/costs", "groupBy=host").path("body").asText());
        JsonNode hostI = null;
        for (JsonNode h : hosts.path("hosts")) {
            if ("host-i".equals(h.path("host").asText())) {
                hostI = h;
            }
        }
        assertTrue(hostI != null, hosts.toString());
        assertEquals(60.0 / 3600, hostI.path("hours").asDouble(), 1e-4, "one 60 s batch reported");
        assertEquals(hostI.path("host_usd").asDouble() - hostI.path("attempts_allocated_usd").asDouble(),
                hostI.path("idle_usd").asDouble(), 1e-6);

        JsonNode filtered = JSON.readTree(get("/v1/tasks", "orchestrator=prefect").path("body").asText());
        assertEquals(0, filtered.path("tasks").size());
        JsonNode openapi = JSON.readTree(get("/v1/openapi.json", "").path("body").asText());
        assertTrue(openapi.path("paths").has("/v1/costs"));
    }

    @Test
    void weeklyScheduleWritesTheReportToS3AndAnnouncesItOnSns() throws Exception {
        int before = StandInsResource.sns.messages().size();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        job.handleRequest(new ByteArrayInputStream("{\"report\":\"weekly\"}".getBytes(StandardCharsets.UTF_8)), out, null);
        String key = JSON.readTree(out.toByteArray()).path("report").asText();
        assertTrue(key.startsWith("reports/") && key.endsWith("/report.html"), key);
        try (S3Client s3 = AwsClients.s3(s3Endpoint)) {
            String html = s3.getObjectAsBytes(b -> b.bucket(StandInsResource.BUCKET).key(key)).asString(StandardCharsets.UTF_8);
            assertTrue(html.contains("id=\"chart-cpu\""));
            String dir = key.substring(0, key.lastIndexOf('/') + 1);
            assertTrue(s3.getObjectAsBytes(b -> b.bucket(StandInsResource.BUCKET).key(dir + "report.csv"))
                    .asString(StandardCharsets.UTF_8).startsWith("attempt_id,"));
            JsonNode json = JSON.readTree(s3.getObjectAsBytes(b -> b.bucket(StandInsResource.BUCKET).key(dir + "report.json"))
                    .asByteArray());
            assertTrue(json.has("totals"), json.toString());
        }
        var messages = StandInsResource.sns.messages();
        assertEquals(before + 1, messages.size());
        JsonNode body = JSON.readTree(messages.get(messages.size() - 1).body());
        assertEquals("s3://" + StandInsResource.BUCKET + "/" + key, body.path("report").asText());
        assertTrue(body.path("link").asText().contains("X-Amz-Signature"), "a pre-signed link: " + body);
        assertTrue(messages.get(messages.size() - 1).subject().startsWith("taskmeter weekly report"));
    }

    @Test
    void aSilentHostWithARunningAttemptIsReportedOnce() throws Exception {
        // The test batches never end their unit: the attempts are running, and their hosts fell silent in 2025.
        // Every test's setup runs the job too; run it twice more: still one report per silence.
        job.handleRequest(new ByteArrayInputStream("{}".getBytes(StandardCharsets.UTF_8)), new ByteArrayOutputStream(), null);
        job.handleRequest(new ByteArrayInputStream("{}".getBytes(StandardCharsets.UTF_8)), new ByteArrayOutputStream(), null);
        var silent = StandInsResource.sns.messages().stream()
                .filter(m -> m.subject().contains("silent")).toList();
        assertTrue(silent.stream().anyMatch(m -> m.subject().contains("host host-i")), silent.toString());
        assertEquals(silent.size(), silent.stream().map(LocalSnsSubject::of).distinct().count(),
                "each silence is reported once: " + silent);
        JsonNode body = JSON.readTree(silent.get(0).body());
        assertEquals("host_silent", body.path("kind").asText());
        assertTrue(body.path("running_attempts").size() >= 1);
    }

    record LocalSnsSubject(String subject) {
        static LocalSnsSubject of(io.taskmeter.testkit.LocalSns.Message m) {
            return new LocalSnsSubject(m.subject().replaceAll("silent for \\d+ min", "silent"));
        }
    }

    @Test
    void apiSaysWhatIsWrong() throws Exception {
        assertEquals(404, get("/v1/attempts/nope", "").path("statusCode").asInt());
        assertEquals(404, get("/v1/tasks/airflow:none:none", "").path("statusCode").asInt());
        JsonNode bad = get("/v1/costs", "groupBy=planet");
        assertEquals(400, bad.path("statusCode").asInt());
        assertTrue(bad.path("body").asText().contains("groupBy must be one of"));
        assertEquals(400, get("/v1/tasks", "limit=0").path("statusCode").asInt());
        JsonNode badDate = get("/v1/costs", "from=yesterday");
        assertEquals(400, badDate.path("statusCode").asInt());
        assertTrue(badDate.path("body").asText().contains("from must be a date"));
        assertEquals(400, get("/v1/costs", "from=2025-01-01&to=2025-12-01").path("statusCode").asInt(), "too long");
    }

    private JsonNode get(String path, String query) throws Exception {
        String event = "{\"version\":\"2.0\",\"rawPath\":\"" + path + "\",\"rawQueryString\":\"" + query
                + "\",\"requestContext\":{\"http\":{\"method\":\"GET\",\"path\":\"" + path + "\"}}}";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        api.handleRequest(new ByteArrayInputStream(event.getBytes(StandardCharsets.UTF_8)), out, null);
        return JSON.readTree(out.toByteArray());
    }

    private void pipe(S3Client s3, Batch batch) {
        String key = BatchKey.of("", batch).key();
        s3.putObject(b -> b.bucket(StandInsResource.BUCKET).key(key), RequestBody.fromBytes(BatchCodec.encode(batch)));
        services.ingest().ingest(StandInsResource.BUCKET, key);
        services.attribute().attribute("U#" + batch.units().get(0).unitId(), "B#" + batch.batchId());
    }
}

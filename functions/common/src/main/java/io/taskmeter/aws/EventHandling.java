package io.taskmeter.aws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * From a Lambda event to a Lambda response, for each function. Lives here, not in the handlers, so the local
 * mode delivers the very same events through the very same code.
 */
public final class EventHandling {
    private static final Logger LOG = Logger.getLogger(EventHandling.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();

    private EventHandling() {
    }

    /**
     * SQS-wrapped S3 events: each message that fails for a transient reason is listed for retry (partial batch
     * response); bad objects are quarantined and count as done. A plain S3 event fails as a whole, and Lambda's
     * async retry redelivers it; the conditional writes make that safe.
     */
    public static byte[] ingest(IngestService ingest, JsonNode event) throws IOException {
        if (!LambdaEvents.isSqs(event)) {
            for (LambdaEvents.ObjectRef ref : LambdaEvents.s3Objects(event, null)) {
                ingest.ingest(ref.bucket(), ref.key());
            }
            return JSON.writeValueAsBytes(JSON.createObjectNode());
        }
        List<String> failed = new ArrayList<>();
        for (JsonNode record : event.path("Records")) {
            String messageId = record.path("messageId").asText();
            try {
                for (LambdaEvents.ObjectRef ref : LambdaEvents.s3Objects(LambdaEvents.body(record), messageId)) {
                    ingest.ingest(ref.bucket(), ref.key());
                }
            } catch (IOException e) {
                // A body that is not JSON is not an S3 notification; retrying cannot help.
                LOG.warning(() -> "{\"event\":\"unreadable_message\",\"message_id\":\"" + messageId + "\"}");
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "{\"event\":\"ingest_failed\",\"message_id\":\"" + messageId + "\"}", e);
                failed.add(messageId);
            }
        }
        return LambdaEvents.batchItemFailures(failed);
    }

    public static byte[] attribute(AttributeService attribute, JsonNode event) {
        return LambdaEvents.batchItemFailures(attribute.attribute(LambdaEvents.streamKeys(event)));
    }

    /** API Gateway HTTP API (payload 2.0) request to response. */
    public static byte[] api(InsightsApi api, JsonNode event) throws IOException {
        String method = event.path("requestContext").path("http").path("method").asText("GET");
        String path = event.path("rawPath").asText("/");
        Map<String, String> headers = new java.util.HashMap<>();
        event.path("headers").fields().forEachRemaining(h -> headers.put(h.getKey(), h.getValue().asText()));
        byte[] body = null;
        if (event.hasNonNull("body")) {
            String raw = event.path("body").asText();
            body = event.path("isBase64Encoded").asBoolean(false) ? java.util.Base64.getDecoder().decode(raw)
                    : raw.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }
        InsightsApi.Response r = api.handle(method, path, InsightsApi.query(event.path("rawQueryString").asText("")),
                headers, body);
        ObjectNode out = JSON.createObjectNode();
        out.put("statusCode", r.status());
        out.putObject("headers").put("content-type", "application/json");
        out.put("body", r.body());
        return JSON.writeValueAsBytes(out);
    }
}

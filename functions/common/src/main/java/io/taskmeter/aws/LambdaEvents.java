package io.taskmeter.aws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.taskmeter.core.batch.BatchCodec;

import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The Lambda event shapes the functions receive, read as JSON trees (the handlers are stream handlers, so no
 * event class's field naming can drift from what AWS sends), and built the same way by the local mode.
 */
public final class LambdaEvents {
    private static final ObjectMapper JSON = new ObjectMapper();

    private LambdaEvents() {
    }

    /** An S3 object named by an event, with the SQS message id that carried it (null for a plain S3 event). */
    public record ObjectRef(String messageId, String bucket, String key) {
    }

    /** A DynamoDB stream record's keys and the id the partial batch response names it by. */
    public record StreamKey(String sequenceNumber, String eventName, String pk, String sk) {
    }

    public static JsonNode read(InputStream in) throws IOException {
        return JSON.readTree(in);
    }

    public static boolean isSqs(JsonNode event) {
        JsonNode first = event.path("Records").path(0);
        return "aws:sqs".equals(first.path("eventSource").asText());
    }

    /**
     * The objects of a plain S3 event notification. S3 URL-encodes keys in events (a space is '+').
     */
    public static List<ObjectRef> s3Objects(JsonNode s3Event, String messageId) {
        List<ObjectRef> out = new ArrayList<>();
        for (JsonNode r : s3Event.path("Records")) {
            if (!r.path("eventName").asText("").startsWith("ObjectCreated")) {
                continue;
            }
            String bucket = r.path("s3").path("bucket").path("name").asText();
            String key = URLDecoder.decode(r.path("s3").path("object").path("key").asText(), StandardCharsets.UTF_8);
            out.add(new ObjectRef(messageId, bucket, key));
        }
        return out;
    }

    /** Parses an SQS message body; S3's test event and other bodies give no objects. */
    public static JsonNode body(JsonNode sqsRecord) throws IOException {
        return JSON.readTree(sqsRecord.path("body").asText("{}"));
    }

    public static List<StreamKey> streamKeys(JsonNode streamEvent) {
        List<StreamKey> out = new ArrayList<>();
        for (JsonNode r : streamEvent.path("Records")) {
            JsonNode keys = r.path("dynamodb").path("Keys");
            out.add(new StreamKey(r.path("dynamodb").path("SequenceNumber").asText(), r.path("eventName").asText(),
                    keys.path("pk").path("S").asText(), keys.path("sk").path("S").asText()));
        }
        return out;
    }

    /** An S3 ObjectCreated:Put notification as S3 sends it. */
    public static ObjectNode s3Event(String bucket, String key, long size) {
        ObjectNode event = JSON.createObjectNode();
        ObjectNode r = event.putArray("Records").addObject();
        r.put("eventVersion", "2.1").put("eventSource", "aws:s3").put("awsRegion", "us-east-1")
                .put("eventTime", Instant.now().toString()).put("eventName", "ObjectCreated:Put");
        ObjectNode s3 = r.putObject("s3");
        s3.put("s3SchemaVersion", "1.0");
        s3.putObject("bucket").put("name", bucket).put("arn", "arn:aws:s3:::" + bucket);
        s3.putObject("object").put("key", URLEncoder.encode(key, StandardCharsets.UTF_8).replace("%2F", "/"))
                .put("size", size);
        return event;
    }

    /** The same notification as SQS delivers it to Lambda. */
    public static byte[] sqsWrapped(List<ObjectNode> s3Events) {
        ObjectNode event = JSON.createObjectNode();
        ArrayNode records = event.putArray("Records");
        for (ObjectNode s3Event : s3Events) {
            records.addObject().put("messageId", UUID.randomUUID().toString()).put("receiptHandle", "local")
                    .put("body", s3Event.toString()).put("eventSource", "aws:sqs")
                    .put("eventSourceARN", "arn:aws:sqs:us-east-1:000000000000:taskmeter-batches")
                    .put("awsRegion", "us-east-1");
        }
        return bytes(event);
    }

    /** A DynamoDB stream event (KEYS_ONLY view) as Lambda's event source mapping delivers it. */
    public static byte[] streamEvent(List<StreamKey> keys) {
        ObjectNode event = JSON.createObjectNode();
        ArrayNode records = event.putArray("Records");
        for (StreamKey k : keys) {
            ObjectNode r = records.addObject();
            r.put("eventID", k.sequenceNumber()).put("eventName", k.eventName()).put("eventSource", "aws:dynamodb");
            ObjectNode d = r.putObject("dynamodb");
            ObjectNode kk = d.putObject("Keys");
            kk.putObject("pk").put("S", k.pk());
            kk.putObject("sk").put("S", k.sk());
            d.put("SequenceNumber", k.sequenceNumber()).put("StreamViewType", "KEYS_ONLY");
        }
        return bytes(event);
    }

    /** {@code {"batchItemFailures":[{"itemIdentifier":...}]}}: what SQS and stream mappings retry. */
    public static byte[] batchItemFailures(List<String> ids) {
        ObjectNode out = JSON.createObjectNode();
        ArrayNode failures = out.putArray("batchItemFailures");
        ids.forEach(id -> failures.addObject().put("itemIdentifier", id));
        return bytes(out);
    }

    public static List<String> failedIds(byte[] response) throws IOException {
        List<String> ids = new ArrayList<>();
        for (JsonNode f : JSON.readTree(response).path("batchItemFailures")) {
            ids.add(f.path("itemIdentifier").asText());
        }
        return ids;
    }

    private static byte[] bytes(JsonNode node) {
        try {
            return JSON.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static ObjectMapper json() {
        return BatchCodec.json();
    }
}

package io.taskmeter.aws;

import com.fasterxml.jackson.databind.JsonNode;
import io.taskmeter.core.metadata.MetadataCodec;
import io.taskmeter.core.metadata.MetadataDocument;
import io.taskmeter.core.metadata.MetadataFormatException;
import io.taskmeter.core.metadata.MetadataRecord;
import io.taskmeter.core.metadata.PushedEvents;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.logging.Logger;

/**
 * {@code POST /v1/events}: orchestrators push what pollers would fetch (Prefect automations, an Airflow listener
 * plugin; docs/orchestrators.md). Authenticated by a shared secret sent as a bearer token and compared in
 * constant time. Accepted events become metadata documents in S3 under {@code metadata/v1/}, so ingest stores
 * and joins them exactly like polled ones; nothing is written to the tables here.
 */
public final class EventsEndpoint {
    private static final Logger LOG = Logger.getLogger(EventsEndpoint.class.getName());
    /** Events are small; a body this large is a mistake or an attack. */
    static final int MAX_BODY_BYTES = 1 << 20;

    private final S3Client s3;
    private final String bucket;
    private final byte[] token;
    private final LongSupplier clock;

    /** @param token the shared secret; null or blank disables the endpoint */
    public EventsEndpoint(S3Client s3, String bucket, String token, LongSupplier clock) {
        this.s3 = s3;
        this.bucket = bucket;
        this.token = token == null || token.isBlank() ? null : token.strip().getBytes(StandardCharsets.UTF_8);
        this.clock = clock;
    }

    public InsightsApi.Response accept(Map<String, String> headers, byte[] body) {
        if (token == null || bucket == null) {
            return InsightsApi.error(404, "the events endpoint is disabled: set TASKMETER_EVENTS_TOKEN (and the "
                    + "bucket) to enable it");
        }
        String auth = header(headers, "authorization");
        byte[] presented = auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)
                ? auth.substring(7).strip().getBytes(StandardCharsets.UTF_8) : new byte[0];
        if (!MessageDigest.isEqual(token, presented)) {
            LOG.warning(() -> "{\"event\":\"events_unauthorized\",\"bearer\":" + (auth != null) + "}");
            return InsightsApi.error(401, "send the shared secret as 'Authorization: Bearer <token>'");
        }
        if (body == null || body.length == 0) {
            return InsightsApi.error(400, "empty body");
        }
        if (body.length > MAX_BODY_BYTES) {
            return InsightsApi.error(413, "body is " + body.length + " bytes; at most " + MAX_BODY_BYTES);
        }
        List<MetadataRecord> records;
        try {
            JsonNode json = MetadataCodec.json().readTree(body);
            records = PushedEvents.parse(json);
        } catch (IOException e) {
            return InsightsApi.error(400, "not JSON: " + e.getMessage());
        } catch (MetadataFormatException e) {
            return InsightsApi.error(400, e.getMessage());
        }
        Map<String, List<MetadataRecord>> bySource = new LinkedHashMap<>();
        records.forEach(r -> bySource.computeIfAbsent(r.source(), k -> new ArrayList<>()).add(r));
        List<String> keys = new ArrayList<>();
        for (Map.Entry<String, List<MetadataRecord>> e : bySource.entrySet()) {
            MetadataDocument doc = MetadataDocument.of(e.getKey(), "push", clock.getAsLong(), e.getValue());
            // The key follows from the content: the same event pushed twice is one object.
            s3.putObject(b -> b.bucket(bucket).key(doc.key()).contentType("application/gzip"),
                    RequestBody.fromBytes(MetadataCodec.encode(doc)));
            keys.add(doc.key());
        }
        LOG.info(() -> "{\"event\":\"events_accepted\",\"records\":" + records.size() + ",\"documents\":"
                + keys.size() + "}");
        return InsightsApi.json(202, Map.of("accepted", records.size(), "documents", keys));
    }

    private static String header(Map<String, String> headers, String name) {
        for (Map.Entry<String, String> e : headers.entrySet()) {
            if (e.getKey().equalsIgnoreCase(name)) {
                return e.getValue();
            }
        }
        return null;
    }
}

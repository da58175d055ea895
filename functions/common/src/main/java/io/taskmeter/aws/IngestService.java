package io.taskmeter.aws;

import io.taskmeter.core.usage.UsageSlice;
import io.taskmeter.core.batch.Batch;
import io.taskmeter.core.batch.BatchCodec;
import io.taskmeter.core.batch.BatchFormatException;
import io.taskmeter.core.batch.BatchKey;
import io.taskmeter.core.batch.UnitSeries;
import io.taskmeter.core.metadata.MetadataCodec;
import io.taskmeter.core.metadata.MetadataDocument;
import io.taskmeter.core.metadata.MetadataFormatException;
import io.taskmeter.core.metadata.MetadataRecord;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.logging.Logger;

/**
 * Takes one uploaded object from S3 to DynamoDB: a batch ({@code batches/v1/}) becomes usage per unit and the
 * host heartbeat; a metadata document ({@code metadata/v1/}) becomes orchestrator records of attempts and runs.
 * Fetch, validate, decode, store. Bad input is quarantined with its reason and reported as handled, so it never blocks the
 * queue; a transient failure throws, so the message is retried, and the conditional writes make the retry safe.
 */
public final class IngestService {
    private static final Logger LOG = Logger.getLogger(IngestService.class.getName());
    /** Compressed size above which an object is not even downloaded. */
    static final long MAX_OBJECT_BYTES = 16L << 20;
    public static final String QUARANTINE = "quarantine/";

    private final S3Client s3;
    private final UsageStore usage;
    private final MetadataStore metadata;

    public IngestService(S3Client s3, UsageStore usage, MetadataStore metadata) {
        this.s3 = s3;
        this.usage = usage;
        this.metadata = metadata;
    }

    public enum Status { INGESTED, DUPLICATE, QUARANTINED, SKIPPED }

    public record Outcome(Status status, String key, int unitsStored, String reason) {
    }

    public Outcome ingest(String bucket, String key) {
        if (key.startsWith(QUARANTINE) || key.contains("/" + QUARANTINE)) {
            return new Outcome(Status.SKIPPED, key, 0, "already in quarantine");
        }
        boolean isMetadata = key.contains(MetadataDocument.ROOT);
        if (!isMetadata && !key.contains(BatchKey.ROOT)) {
            return new Outcome(Status.SKIPPED, key, 0, "neither a batch nor a metadata document (only "
                    + BatchKey.ROOT + " and " + MetadataDocument.ROOT + " keys are ingested)");
        }
        byte[] bytes;
        try (ResponseInputStream<GetObjectResponse> in = s3.getObject(b -> b.bucket(bucket).key(key))) {
            Long length = in.response().contentLength();
            if (length != null && length > MAX_OBJECT_BYTES) {
                return quarantine(bucket, key, null, "object is " + length + " bytes, more than the "
                        + MAX_OBJECT_BYTES + " a batch may be");
            }
            bytes = in.readAllBytes();
        } catch (NoSuchKeyException e) {
            // Deleted before we got to it (lifecycle, or a replayed old event): nothing to do, nothing lost.
            return new Outcome(Status.SKIPPED, key, 0, "object no longer exists");
        } catch (IOException e) {
            throw new UncheckedIOException("reading s3://" + bucket + "/" + key, e);
        }
        if (isMetadata) {
            return ingestMetadata(bucket, key, bytes);
        }
        Batch batch;
        try {
            BatchKey batchKey = BatchKey.parse(key);
            batch = BatchCodec.decode(bytes);
            batchKey.check(batch);
        } catch (BatchFormatException e) {
            return quarantine(bucket, key, bytes, e.getMessage());
        }
        int stored = 0;
        for (UnitSeries unit : batch.units()) {
            if (usage.putIfAbsent(UsageSlice.of(batch, unit))) {
                stored++;
            }
        }
        usage.heartbeat(batch, key);
        usage.hostDay(batch);
        boolean duplicate = stored == 0 && !batch.units().isEmpty();
        LOG.info(() -> "{\"event\":\"ingested\",\"key\":\"" + key + "\",\"units\":" + batch.units().size()
                + ",\"new\":" + (duplicate ? 0 : "true") + "}");
        return new Outcome(duplicate ? Status.DUPLICATE : Status.INGESTED, key, stored, null);
    }

    private Outcome ingestMetadata(String bucket, String key, byte[] bytes) {
        MetadataDocument doc;
        try {
            doc = MetadataCodec.decode(bytes);
            for (int i = 0; i < doc.records().size(); i++) {
                String problem = problem(doc.records().get(i));
                if (problem != null) {
                    throw new MetadataFormatException("record " + i + ": " + problem);
                }
            }
        } catch (MetadataFormatException e) {
            return quarantine(bucket, key, bytes, e.getMessage());
        }
        int stored = metadata.store(doc);
        boolean duplicate = stored == 0 && !doc.records().isEmpty();
        LOG.info(() -> "{\"event\":\"metadata_ingested\",\"key\":\"" + key + "\",\"records\":"
                + doc.records().size() + ",\"new\":" + stored + "}");
        return new Outcome(duplicate ? Status.DUPLICATE : Status.INGESTED, key, stored, null);
    }

    /** What makes a record unusable: without a known type and source no rule can place it. */
    private static String problem(MetadataRecord r) {
        if (r == null) {
            return "null";
        }
        if (!java.util.Set.of(MetadataRecord.TASK_INSTANCE, MetadataRecord.DAG_RUN, MetadataRecord.FLOW_RUN,
                MetadataRecord.TASK_RUN).contains(r.type())) {
            return "unknown type '" + r.type() + "'";
        }
        if (!"airflow".equals(r.source()) && !"prefect".equals(r.source())) {
            return "unknown source '" + r.source() + "'";
        }
        if (r.id() == null && r.dagOrFlow() == null) {
            return "names neither an id nor a DAG/flow";
        }
        return null;
    }

    private Outcome quarantine(String bucket, String key, byte[] bytes, String reason) {
        String target = QUARANTINE + key;
        if (bytes != null) {
            s3.putObject(b -> b.bucket(bucket).key(target), RequestBody.fromBytes(bytes));
        } else {
            s3.copyObject(b -> b.sourceBucket(bucket).sourceKey(key).destinationBucket(bucket).destinationKey(target));
        }
        Map<String, Object> why = new LinkedHashMap<>();
        why.put("key", key);
        why.put("reason", reason);
        why.put("quarantined_at", Instant.now().toString());
        why.put("bytes", bytes == null ? null : bytes.length);
        try {
            byte[] json = io.taskmeter.core.batch.BatchCodec.json().writeValueAsBytes(why);
            s3.putObject(b -> b.bucket(bucket).key(target + ".reason.json").contentType("application/json"),
                    RequestBody.fromBytes(json));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        LOG.warning(() -> "{\"event\":\"quarantined\",\"key\":\"" + key + "\",\"reason\":"
                + jsonString(reason) + "}");
        return new Outcome(Status.QUARANTINED, key, 0, reason);
    }

    private static String jsonString(String s) {
        try {
            return BatchCodec.json().writeValueAsString(s);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return "\"?\"";
        }
    }
}

package io.taskmeter.aws;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import io.taskmeter.core.batch.Batch;
import io.taskmeter.core.batch.BatchCodec;
import io.taskmeter.core.batch.BatchKey;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;

/** What AWS does between the functions, done by hand in tests: upload, ingest, and the stream record. */
public final class Deliveries {
    private Deliveries() {
    }

    /** Uploads and ingests a one-unit batch; returns the stream record its usage item would produce. */
    public static LambdaEvents.StreamKey ingest(Services services, S3Client s3, Batch batch) {
        String key = BatchKey.of("", batch).key();
        s3.putObject(b -> b.bucket(StandInsResource.BUCKET).key(key), RequestBody.fromBytes(BatchCodec.encode(batch)));
        services.ingest().ingest(StandInsResource.BUCKET, key);
        return new LambdaEvents.StreamKey(String.valueOf(batch.seq()), "INSERT",
                "U#" + batch.units().get(0).unitId(), "B#" + batch.batchId());
    }

    /** Delivers stream records to a handler; returns the sequence numbers it asked to retry. */
    public static List<String> stream(RequestStreamHandler handler, List<LambdaEvents.StreamKey> keys) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        handler.handleRequest(new ByteArrayInputStream(LambdaEvents.streamEvent(keys)), out, null);
        return LambdaEvents.failedIds(out.toByteArray());
    }
}

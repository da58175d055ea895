package io.taskmeter.shipper;

import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.IOException;
import java.net.URI;

/** PutObject into the configured bucket; the shipper needs nothing but s3:PutObject on its prefix. */
public final class S3Sink implements BatchSink {
    private final S3Client s3;
    private final String bucket;

    public S3Sink(String bucket, String region, URI endpoint) {
        var b = S3Client.builder().region(Region.of(region)).httpClient(UrlConnectionHttpClient.create());
        if (endpoint != null) {
            b.endpointOverride(endpoint).forcePathStyle(true);
        }
        this.s3 = b.build();
        this.bucket = bucket;
    }

    @Override
    public void put(String key, byte[] gzippedBatch) throws IOException {
        try {
            s3.putObject(r -> r.bucket(bucket).key(key).contentType("application/json").contentEncoding("gzip"),
                    RequestBody.fromBytes(gzippedBatch));
        } catch (SdkException e) {
            throw new IOException("upload of " + key + " to s3://" + bucket + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public String describe() {
        return "s3://" + bucket;
    }

    @Override
    public void close() {
        s3.close();
    }
}

package io.taskmeter.shipper;

import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProviderChain;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;

/**
 * PutObject into the configured bucket; the shipper needs nothing but s3:PutObject on its prefix. Retries are
 * the {@link Uploader}'s (with backoff and jitter), so the SDK tries each call at most twice.
 */
public final class S3Sink implements BatchSink {
    private final S3Client s3;
    private final String bucket;

    /**
     * @param endpoint  an S3-compatible endpoint instead of AWS, or null; with one, credentials fall back to
     *                  anonymous (unsigned) requests when the default chain finds none
     * @param pathStyle path-style addressing (always on with an endpoint override)
     */
    public S3Sink(String bucket, String region, URI endpoint, boolean pathStyle) {
        S3ClientBuilder b = S3Client.builder().region(Region.of(region == null ? "us-east-1" : region))
                .httpClient(UrlConnectionHttpClient.builder().connectionTimeout(Duration.ofSeconds(5))
                        .socketTimeout(Duration.ofSeconds(30)).build())
                .overrideConfiguration(o -> o.apiCallTimeout(Duration.ofSeconds(90))
                        .retryStrategy(r -> r.maxAttempts(2)));
        if (endpoint != null) {
            b.endpointOverride(endpoint).forcePathStyle(true).credentialsProvider(AwsCredentialsProviderChain.of(
                    DefaultCredentialsProvider.builder().build(), AnonymousCredentialsProvider.create()));
        } else if (pathStyle) {
            b.forcePathStyle(true);
        }
        this.s3 = b.build();
        this.bucket = bucket;
    }

    public S3Sink(String bucket, String region, URI endpoint) {
        this(bucket, region, endpoint, endpoint != null);
    }

    @Override
    public void put(String key, byte[] gzippedBatch) throws IOException {
        try {
            // The object IS a gzip file (.json.gz), not JSON with a transfer encoding: no Content-Encoding, so no
            // client unzips it on the way out and the pipeline always reads the bytes the shipper wrote.
            s3.putObject(r -> r.bucket(bucket).key(key).contentType("application/gzip"),
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

package io.taskmeter.aws;

import io.taskmeter.testkit.AwsClients;
import io.taskmeter.testkit.EmbeddedDynamo;
import io.taskmeter.testkit.EmbeddedS3;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;
import software.amazon.awssdk.services.s3.S3Client;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * DynamoDB Local and S3Proxy on 127.0.0.1 for plain JUnit tests (no Quarkus), with fresh tables and buckets per
 * run so that runs of one test class never see each other's items.
 */
final class StandIns implements AutoCloseable {
    private static final AtomicInteger RUNS = new AtomicInteger();

    final EmbeddedDynamo dynamo;
    final EmbeddedS3 s3Server;
    final DynamoDbClient ddb;
    final S3Client s3;

    private StandIns(java.nio.file.Path s3Dir) {
        this.dynamo = EmbeddedDynamo.inMemory();
        this.s3Server = s3Dir == null ? EmbeddedS3.inMemory() : EmbeddedS3.persistent(s3Dir);
        this.ddb = AwsClients.dynamo(dynamo.endpoint());
        // UrlConnection's handling of "Expect: 100-continue" against S3Proxy drops a connection now and then
        // ("Unexpected end of file from server") after thousands of puts; the header buys nothing on loopback.
        this.s3 = S3Client.builder().endpointOverride(s3Server.endpoint()).region(Region.US_EAST_1)
                .forcePathStyle(true).httpClient(UrlConnectionHttpClient.create())
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("taskmeter", "local")))
                .overrideConfiguration(c -> c.addExecutionInterceptor(new NoExpectContinue())).build();
    }

    static StandIns start() {
        return new StandIns(null);
    }

    /** S3 objects in files under {@code s3Dir}, not in this JVM's heap (for tests that measure the heap). */
    static StandIns startWithS3In(java.nio.file.Path s3Dir) {
        return new StandIns(s3Dir);
    }

    /** Three new tables whose names end in a suffix no other run uses. */
    TableNames freshTables(String tag) {
        String suffix = "-" + tag + "-" + RUNS.incrementAndGet();
        TableNames t = new TableNames("usage" + suffix, "attempts" + suffix, "insights" + suffix);
        Provisioning.createTables(ddb, t);
        return t;
    }

    String freshBucket(String tag) {
        String bucket = ("tm-" + tag + "-" + RUNS.incrementAndGet()).toLowerCase();
        Provisioning.createBucket(s3, bucket);
        return bucket;
    }

    /**
     * Every item of a table, one line each, sorted by key, with string sets sorted: two tables with equal dumps
     * hold the same items with the same attribute values.
     */
    List<String> dump(String table) {
        Map<String, String> lines = new TreeMap<>();
        for (var page : ddb.scanPaginator(ScanRequest.builder().tableName(table).consistentRead(true).build())) {
            for (Map<String, AttributeValue> item : page.items()) {
                Map<String, String> sorted = new TreeMap<>();
                item.forEach((k, v) -> sorted.put(k, canonical(v)));
                lines.put(item.get("pk").s() + " | " + item.get("sk").s(), sorted.toString());
            }
        }
        List<String> out = new ArrayList<>();
        lines.forEach((k, v) -> out.add(k + " => " + v));
        return out;
    }

    private static String canonical(AttributeValue v) {
        if (v.s() != null) {
            return "S:" + v.s();
        }
        if (v.n() != null) {
            return "N:" + v.n();
        }
        if (v.hasSs()) {
            return "SS:" + new java.util.TreeSet<>(v.ss());
        }
        if (v.hasM()) {
            Map<String, String> m = new TreeMap<>();
            v.m().forEach((k, x) -> m.put(k, canonical(x)));
            return "M:" + m;
        }
        if (v.hasL()) {
            return "L:" + v.l().stream().map(StandIns::canonical).toList();
        }
        return v.toString();
    }

    @Override
    public void close() {
        ddb.close();
        s3.close();
        s3Server.close();
        dynamo.close();
    }
}

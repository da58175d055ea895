package io.taskmeter.local;

import io.taskmeter.aws.AwsUsageMeter;
import io.taskmeter.aws.NoExpectContinue;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;

import java.net.URI;

/** Clients of the stand-ins, like testkit's, that also report every request to a meter (the load test's bill). */
final class MeteredClients {
    private static final StaticCredentialsProvider DUMMY =
            StaticCredentialsProvider.create(AwsBasicCredentials.create("taskmeter", "taskmeter-local"));

    private MeteredClients() {
    }

    static DynamoDbClient dynamo(URI endpoint, AwsUsageMeter meter) {
        return DynamoDbClient.builder().endpointOverride(endpoint).region(Region.US_EAST_1).credentialsProvider(DUMMY)
                .httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(c -> c.addExecutionInterceptor(meter)).build();
    }

    static S3Client s3(URI endpoint, AwsUsageMeter meter) {
        // Tens of thousands of puts: UrlConnection's "Expect: 100-continue" handling against S3Proxy drops a
        // connection now and then; on loopback the header buys nothing.
        return S3Client.builder().endpointOverride(endpoint).region(Region.US_EAST_1).forcePathStyle(true)
                .credentialsProvider(DUMMY).httpClient(UrlConnectionHttpClient.create())
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .overrideConfiguration(c -> c.addExecutionInterceptor(meter)
                        .addExecutionInterceptor(new NoExpectContinue())).build();
    }
}

package io.taskmeter.aws;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.taskmeter.testkit.AwsClients;
import io.taskmeter.testkit.EmbeddedDynamo;
import io.taskmeter.testkit.EmbeddedS3;
import io.taskmeter.testkit.LocalSns;

import java.util.Map;

/**
 * Starts DynamoDB Local and S3Proxy on 127.0.0.1 for a @QuarkusTest, creates the tables and the bucket, and
 * points the functions' clients at them. Real servers, real SDK clients, no mocks.
 */
public class StandInsResource implements QuarkusTestResourceLifecycleManager {
    public static final String BUCKET = "taskmeter-test";
    private EmbeddedDynamo dynamo;
    private EmbeddedS3 s3;
    /** The SNS endpoint of the running test, for assertions on what was published. */
    public static volatile LocalSns sns;
    public static final String TOPIC = "arn:aws:sns:us-east-1:000000000000:taskmeter-alerts";

    @Override
    public Map<String, String> start() {
        dynamo = EmbeddedDynamo.inMemory();
        s3 = EmbeddedS3.inMemory();
        sns = new LocalSns();
        // The functions use the SDK's default credentials chain, as in Lambda; the stand-ins accept any key.
        System.setProperty("aws.accessKeyId", "taskmeter");
        System.setProperty("aws.secretAccessKey", "taskmeter-local");
        try (var ddb = AwsClients.dynamo(dynamo.endpoint()); var s3c = AwsClients.s3(s3.endpoint())) {
            Provisioning.createTables(ddb, TableNames.defaults());
            Provisioning.createBucket(s3c, BUCKET);
        }
        return Map.of("taskmeter.aws.dynamodb-endpoint", dynamo.endpoint().toString(),
                "taskmeter.aws.s3-endpoint", s3.endpoint().toString(),
                "taskmeter.bucket", BUCKET,
                "taskmeter.aws.sns-endpoint", sns.endpoint().toString(),
                "taskmeter.alerts.topic-arn", TOPIC);
    }

    @Override
    public void stop() {
        if (sns != null) {
            sns.close();
        }
        if (s3 != null) {
            s3.close();
        }
        if (dynamo != null) {
            dynamo.close();
        }
    }
}

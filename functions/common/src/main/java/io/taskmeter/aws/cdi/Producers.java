package io.taskmeter.aws.cdi;

import io.taskmeter.aws.AlertPublisher;
import io.taskmeter.aws.LogAlertPublisher;
import io.taskmeter.aws.NoExpectContinue;
import io.taskmeter.aws.Services;
import io.taskmeter.aws.SnsAlertPublisher;
import io.taskmeter.core.stall.StallSettings;
import software.amazon.awssdk.services.sns.SnsClient;
import io.taskmeter.aws.TableNames;
import io.taskmeter.core.cost.PriceTable;
import io.taskmeter.core.rightsizing.RightsizingSettings;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;

import java.net.URI;
import java.time.Duration;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;
import java.util.Optional;

/**
 * CDI wiring for the Lambda functions: clients from configuration (application.properties, or the environment
 * Terraform sets), then {@link Services}. Endpoints are overridable so tests reach the local stand-ins.
 */
@ApplicationScoped
public class Producers {

    /**
     * Builds the services (SDK clients, stores) when the application starts, not at the first event: in Lambda that
     * is the init phase, which SnapStart snapshots, so a restored function does not pay for it on its first
     * invocation (ColdStartBench: the first invocation cost more than init, mostly this).
     */
    void createAtStartup(@Observes @Initialized(ApplicationScoped.class) Object started, Services services) {
        services.ingest();
    }

    @Produces
    @ApplicationScoped
    Services services(@ConfigProperty(name = "taskmeter.aws.region", defaultValue = "us-east-1") String region,
                      @ConfigProperty(name = "taskmeter.aws.dynamodb-endpoint") Optional<URI> dynamoEndpoint,
                      @ConfigProperty(name = "taskmeter.aws.s3-endpoint") Optional<URI> s3Endpoint,
                      @ConfigProperty(name = "taskmeter.table.usage", defaultValue = "taskmeter-usage") String usage,
                      @ConfigProperty(name = "taskmeter.table.attempts", defaultValue = "taskmeter-attempts") String attempts,
                      @ConfigProperty(name = "taskmeter.table.insights", defaultValue = "taskmeter-insights") String insights,
                      @ConfigProperty(name = "taskmeter.alerts.topic-arn") Optional<String> topicArn,
                      @ConfigProperty(name = "taskmeter.aws.sns-endpoint") Optional<URI> snsEndpoint,
                      @ConfigProperty(name = "taskmeter.stall.after-seconds", defaultValue = "600") double stallAfter,
                      @ConfigProperty(name = "taskmeter.bucket") Optional<String> bucket,
                      @ConfigProperty(name = "taskmeter.events.token") Optional<String> eventsToken) {
        var ddb = DynamoDbClient.builder().region(Region.of(region)).httpClient(UrlConnectionHttpClient.create());
        dynamoEndpoint.ifPresent(ddb::endpointOverride);
        var s3 = S3Client.builder().region(Region.of(region)).httpClient(UrlConnectionHttpClient.create());
        s3Endpoint.ifPresent(e -> s3.endpointOverride(e).forcePathStyle(true)
                .overrideConfiguration(c -> c.addExecutionInterceptor(new NoExpectContinue())));
        AlertPublisher alerts = new LogAlertPublisher();
        if (topicArn.isPresent()) {
            var sns = SnsClient.builder().region(Region.of(region)).httpClient(UrlConnectionHttpClient.create());
            snsEndpoint.ifPresent(sns::endpointOverride);
            alerts = new SnsAlertPublisher(sns.build(), topicArn.get());
        }
        var presign = S3Presigner.builder().region(Region.of(region));
        s3Endpoint.ifPresent(e -> presign.endpointOverride(e).serviceConfiguration(
                S3Configuration.builder().pathStyleAccessEnabled(true).build()));
        S3Presigner presigner = presign.build();
        // A week-long link: the report is read from the announcement, often days later.
        return new Services(ddb.build(), s3.build(), new TableNames(usage, attempts, insights),
                PriceTable.builtIn(), RightsizingSettings.defaults(), alerts,
                StallSettings.defaults().withStallAfter(stallAfter), bucket.orElse(null),
                key -> presigner.presignGetObject(p -> p.signatureDuration(Duration.ofDays(7))
                        .getObjectRequest(g -> g.bucket(bucket.orElseThrow()).key(key))).url().toString(),
                eventsToken.orElse(null));
    }
}

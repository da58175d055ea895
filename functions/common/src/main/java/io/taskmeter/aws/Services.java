package io.taskmeter.aws;

import io.taskmeter.core.cost.PriceTable;
import io.taskmeter.core.report.InsightsCalculator;
import io.taskmeter.core.rightsizing.RightsizingSettings;
import io.taskmeter.core.stall.StallSettings;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Everything the functions do, wired from two clients and the table names: the Lambda handlers get it from CDI,
 * the local mode builds it directly, so both run the same code.
 */
public final class Services {
    private final UsageStore usage;
    private final AttemptStore attempts;
    private final InsightsStore insights;
    private final IngestService ingest;
    private final AttributeService attribute;
    private final InsightsJob insightsJob;
    private final InsightsApi insightsApi;
    private final WeeklyReportJob weeklyReport;
    private final HostSilenceCheck hostSilence;

    public Services(DynamoDbClient ddb, S3Client s3, TableNames tables, PriceTable prices,
                    RightsizingSettings settings) {
        this(ddb, s3, tables, prices, settings, new LogAlertPublisher(), StallSettings.defaults(), null, key -> key);
    }

    public Services(DynamoDbClient ddb, S3Client s3, TableNames tables, PriceTable prices,
                    RightsizingSettings settings, AlertPublisher alerts, StallSettings stallSettings,
                    String bucket, java.util.function.Function<String, String> reportLink) {
        this(ddb, s3, tables, prices, settings, alerts, stallSettings, bucket, reportLink, null);
    }

    /**
     * @param eventsToken the shared secret of {@code POST /v1/events} (TASKMETER_EVENTS_TOKEN); null leaves the
     *                    endpoint disabled
     */
    public Services(DynamoDbClient ddb, S3Client s3, TableNames tables, PriceTable prices,
                    RightsizingSettings settings, AlertPublisher alerts, StallSettings stallSettings,
                    String bucket, java.util.function.Function<String, String> reportLink, String eventsToken) {
        this.usage = new UsageStore(ddb, tables.usage());
        this.attempts = new AttemptStore(ddb, tables.attempts());
        this.insights = new InsightsStore(ddb, tables.insights());
        MetadataStore metadata = new MetadataStore(ddb, tables.attempts());
        this.ingest = new IngestService(s3, usage, metadata);
        this.attribute = new AttributeService(usage, attempts,
                new StallMonitor(ddb, tables.attempts(), attempts, insights, alerts, stallSettings), metadata);
        this.insightsJob = new InsightsJob(attempts, insights, new InsightsCalculator(prices, settings), usage, prices,
                metadata);
        this.insightsApi = new InsightsApi(insights,
                new EventsEndpoint(s3, bucket, eventsToken, System::currentTimeMillis));
        this.weeklyReport = new WeeklyReportJob(insightsJob, insights, s3, bucket, alerts, reportLink);
        // Five batch intervals of the default 60 s without a batch, while tasks run there.
        this.hostSilence = new HostSilenceCheck(usage, alerts, 5 * 60_000L);
    }

    public HostSilenceCheck hostSilence() {
        return hostSilence;
    }

    public WeeklyReportJob weeklyReport() {
        return weeklyReport;
    }

    public IngestService ingest() {
        return ingest;
    }

    public AttributeService attribute() {
        return attribute;
    }

    public InsightsJob insightsJob() {
        return insightsJob;
    }

    public InsightsApi insightsApi() {
        return insightsApi;
    }
}

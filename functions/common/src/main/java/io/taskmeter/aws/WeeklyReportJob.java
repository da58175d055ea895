package io.taskmeter.aws;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.taskmeter.core.batch.BatchCodec;
import io.taskmeter.core.report.Insights;
import io.taskmeter.core.report.ReportCsv;
import io.taskmeter.core.report.ReportHtml;
import io.taskmeter.core.report.WeeklyReport;
import io.taskmeter.core.stall.StallAlert;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.logging.Logger;

/**
 * The weekly report: fresh insights for the last 7 days, written to S3 {@code reports/<date>/} as HTML, JSON and
 * CSV, then announced with its headline numbers and a link.
 */
public final class WeeklyReportJob {
    private static final Logger LOG = Logger.getLogger(WeeklyReportJob.class.getName());
    public static final String PREFIX = "reports/";
    static final long WEEK_MS = 7L * 86_400_000L;

    private final InsightsJob insightsJob;
    private final InsightsStore insights;
    private final S3Client s3;
    private final String bucket;
    private final AlertPublisher announcer;
    private final Function<String, String> linkFor;

    /** @param linkFor turns a report key into a link for the announcement (pre-signed URL in AWS) */
    public WeeklyReportJob(InsightsJob insightsJob, InsightsStore insights, S3Client s3, String bucket,
                           AlertPublisher announcer, Function<String, String> linkFor) {
        this.insightsJob = insightsJob;
        this.insights = insights;
        this.s3 = s3;
        this.bucket = bucket;
        this.announcer = announcer;
        this.linkFor = linkFor;
    }

    /** What was written: the report and its three renderings, by key. */
    public record Written(WeeklyReport report, Map<String, String> files) {
    }

    public Written run(long nowMs) {
        InsightsJob.Result fresh = insightsJob.run(nowMs);
        Insights week = new Insights(fresh.computedAtMs(), insights.attemptsBetween(Instant.ofEpochMilli(nowMs - WEEK_MS),
                Instant.ofEpochMilli(nowMs)), fresh.tasks(), List.of());
        List<StallAlert> stalls = new ArrayList<>();
        String after = null;
        do {
            InsightsStore.Page<StallAlert> page = insights.page("STALLS", StallAlert.class, 1000, after, false);
            stalls.addAll(page.items());
            after = page.next();
        } while (after != null);
        WeeklyReport report = WeeklyReport.of(week, stalls, nowMs - WEEK_MS, nowMs);
        String dir = PREFIX + LocalDate.ofInstant(Instant.ofEpochMilli(nowMs), ZoneOffset.UTC) + "/";
        Map<String, String> files = new LinkedHashMap<>();
        try {
            files.put(dir + "report.html", ReportHtml.render(report));
            files.put(dir + "report.json", BatchCodec.json().writerWithDefaultPrettyPrinter().writeValueAsString(report));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        files.put(dir + "report.csv", ReportCsv.render(report));
        if (bucket != null) {
            files.forEach((key, body) -> s3.putObject(b -> b.bucket(bucket).key(key).contentType(type(key)),
                    RequestBody.fromString(body, StandardCharsets.UTF_8)));
            WeeklyReport.Totals t = report.totals();
            String html = dir + "report.html";
            String body = String.format(Locale.ROOT, "{\"report\":\"%s\",\"link\":\"%s\",\"attempts\":%d,\"tasks\":%d,"
                            + "\"allocated_usd\":%.4f,\"used_usd\":%.4f,\"waste_usd\":%.4f,\"monthly_savings_usd\":%.2f,"
                            + "\"stalls\":%d}", "s3://" + bucket + "/" + html, linkFor.apply(html), t.attempts(),
                    t.tasks(), t.allocatedUsd(), t.usedUsd(), t.wasteUsd(), t.monthlySavingsUsd(), t.stalls());
            announcer.publish(String.format(Locale.ROOT, "taskmeter weekly report: $%.2f/month to save, %d stalls",
                    t.monthlySavingsUsd(), t.stalls()), body);
        }
        LOG.info(() -> "{\"event\":\"weekly_report\",\"dir\":\"" + dir + "\",\"attempts\":" + report.attempts().size() + "}");
        return new Written(report, files);
    }

    private static String type(String key) {
        return key.endsWith(".html") ? "text/html; charset=utf-8" : key.endsWith(".json") ? "application/json"
                : "text/csv; charset=utf-8";
    }
}

package io.taskmeter.local;

import io.taskmeter.aws.AwsUsageMeter;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * What one host costs in AWS per month at the deployed defaults, from what a load run counted per batch. Prices:
 * us-east-1 public list prices (docs/cost.md, with their date); settings: infra/terraform/variables.tf defaults.
 */
final class CostModel {
    // ---- prices, USD (docs/cost.md) ----
    static final double S3_PUT_PER_1K = 0.005;
    static final double S3_GET_PER_1K = 0.0004;
    static final double S3_GB_MONTH = 0.023;
    static final double SQS_PER_MILLION = 0.40;
    static final double LAMBDA_PER_MILLION = 0.20;
    static final double LAMBDA_GB_SECOND_X86 = 0.0000166667;
    static final double DDB_WRITE_PER_MILLION = 0.625;
    static final double DDB_READ_PER_MILLION = 0.125;
    static final double DDB_GB_MONTH = 0.25;
    static final double DDB_PITR_GB_MONTH = 0.20;
    static final double LOGS_INGEST_PER_GB = 0.50;
    static final double LOGS_GB_MONTH = 0.03;

    // ---- defaults of infra/terraform/variables.tf ----
    static final double INGEST_MEMORY_GB = 1024 / 1024.0;
    static final double ATTRIBUTE_MEMORY_GB = 1024 / 1024.0;
    static final int BATCH_RETENTION_DAYS = 30;
    static final int LOG_RETENTION_DAYS = 30;
    /** Lambda's own START, END and REPORT lines per invocation (REPORT with durations and memory). */
    static final int PLATFORM_LOG_BYTES_PER_INVOCATION = 280;

    static final double GB = 1024.0 * 1024 * 1024;

    record Line(String what, double perBatch, String unit, double usdPerHostMonth) {
    }

    record Bill(double batchesPerHostMonth, List<Line> lines, double total, double storageGrowthPerMonth) {
    }

    static Bill of(LoadRun.Result r) {
        AwsUsageMeter.Snapshot m = r.usage();
        double batches = r.batches();
        double perMonth = 30.0 * 86_400_000 / r.settings().batchMs();
        List<Line> lines = new ArrayList<>();
        double puts = m.requests("S3.PutObject") / batches;
        lines.add(new Line("S3 PUT (shipper upload)", puts, "requests", puts * perMonth * S3_PUT_PER_1K / 1000));
        double gets = m.requests("S3.GetObject") / batches;
        lines.add(new Line("S3 GET (ingest)", gets, "requests", gets * perMonth * S3_GET_PER_1K / 1000));
        double s3Gb = r.s3Bytes() / batches * perMonth * BATCH_RETENTION_DAYS / 30.0 / GB;
        lines.add(new Line("S3 storage (" + BATCH_RETENTION_DAYS + " days of batches)", r.s3Bytes() / batches,
                "bytes", s3Gb * S3_GB_MONTH));
        // S3 sends one message per object; the event source mapping receives and deletes once per invocation.
        double sqs = (batches + 2.0 * r.ingestInvocations()) / batches;
        lines.add(new Line("SQS send + receive + delete", sqs, "requests", sqs * perMonth * SQS_PER_MILLION / 1e6));
        double invocations = (r.ingestInvocations() + r.attributeInvocations()) / batches;
        lines.add(new Line("Lambda invocations (ingest + attribute)", invocations, "invocations",
                invocations * perMonth * LAMBDA_PER_MILLION / 1e6));
        double gbSeconds = (r.ingestBilledMs() * INGEST_MEMORY_GB + r.attributeBilledMs() * ATTRIBUTE_MEMORY_GB)
                / 1000.0 / batches;
        lines.add(new Line("Lambda duration (1024 MB x measured ms)", gbSeconds, "GB-s",
                gbSeconds * perMonth * LAMBDA_GB_SECOND_X86));
        double wru = m.totalWriteUnits() / batches;
        lines.add(new Line("DynamoDB writes", wru, "WRU", wru * perMonth * DDB_WRITE_PER_MILLION / 1e6));
        double rru = m.totalReadUnits() / batches;
        lines.add(new Line("DynamoDB reads", rru, "RRU", rru * perMonth * DDB_READ_PER_MILLION / 1e6));
        double logBytes = (r.logBytes() + PLATFORM_LOG_BYTES_PER_INVOCATION
                * (double) (r.ingestInvocations() + r.attributeInvocations())) / batches;
        lines.add(new Line("CloudWatch Logs ingestion", logBytes, "bytes",
                logBytes * perMonth / GB * LOGS_INGEST_PER_GB));
        lines.add(new Line("CloudWatch Logs storage (" + LOG_RETENTION_DAYS + " days)", logBytes, "bytes",
                logBytes * perMonth * LOG_RETENTION_DAYS / 30.0 / GB * LOGS_GB_MONTH));
        double total = lines.stream().mapToDouble(Line::usdPerHostMonth).sum();
        double ddbBytes = (double) m.totalBytesPut() / batches;
        double growth = ddbBytes * perMonth / GB * (DDB_GB_MONTH + DDB_PITR_GB_MONTH);
        return new Bill(perMonth, lines, total, growth);
    }

    static void print(Bill bill, LoadRun.Result r, PrintStream out) {
        out.printf("%nCost per host-month at %d s batches (%.0f batches a month), us-east-1 list prices of "
                + "docs/cost.md:%n", r.settings().batchMs() / 1000, bill.batchesPerHostMonth());
        out.printf("  %-44s %14s %-12s %12s%n", "item", "per batch", "", "USD/month");
        for (Line l : bill.lines()) {
            out.printf("  %-44s %14.3f %-12s %12.4f%n", l.what(), l.perBatch(), l.unit(), l.usdPerHostMonth());
        }
        out.printf("  %-44s %14s %-12s %12.4f%n", "total (target <= 0.30)", "", "", bill.total());
        out.printf("  plus DynamoDB storage growing by %.4f USD per host each month the data is kept (%.0f bytes "
                + "of items per batch, storage + point-in-time recovery; usage slices expire after 35 days, attempts are kept)%n",
                bill.storageGrowthPerMonth(), r.usage().totalBytesPut() / (double) r.batches());
        out.printf("  DynamoDB units by table: writes %s, reads %s; failed conditional writes %d; responses "
                + "without capacity %d%n", r.usage().writeUnits(), r.usage().readUnits(),
                r.usage().failedConditionalWrites(), r.usage().responsesWithoutCapacity());
        out.printf("  DynamoDB units per batch by table and request:%n");
        r.usage().unitsByOperation().forEach((k, v) -> out.printf("    %-52s %8.2f%n", k, v / r.batches()));
        out.printf("  requests: %s%n", r.usage().requests());
    }
}

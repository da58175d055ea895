package io.taskmeter.local;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** {@code taskmeter-local.jar load}: simulated hosts at their real rate through the local pipeline. */
final class LoadCommand {
    static final String HELP = """
            taskmeter local mode, load: simulated worker hosts send batches at their real rate through the whole
            local pipeline (S3Proxy -> ingest -> DynamoDB Local and its stream -> attribute -> insights job -> API),
            with the same handlers as in AWS. Prints progress every 10 s, then how far behind the pipeline fell,
            whether the API shows exactly the CPU the hosts generated, and what one host would cost in AWS.

            Usage:
              java -jar taskmeter-local.jar load [options]

            Options:
              --hosts N               simulated hosts (default 1000), their batches spread over the interval
              --minutes M             how long hosts send batches (default 5); then the pipeline is drained
              --seconds S             the same in seconds (for short runs)
              --batch-seconds N       batch interval (default 60)
              --interval DUR          sampling interval (default 1s)
              --units N               task trees running on each host at any time (default 8), each an Airflow
                                      task of 3-30 minutes replaced by a new one when it ends
              --ingest-batch-size N   SQS messages per ingest invocation (default 10, as deployed)
              --attribute-batch-size N stream records per attribute invocation (default 100, as deployed)
              --ingest-workers N      concurrent ingest invocations (default 2; Lambda would run more)
              --verify N              attempts checked through the API at the end (default 200; -1: all)
              --seed N                random seed of the simulated workload (default 1)
              --data-dir DIR          where S3 objects and tables live (default: a new temporary directory,
                                      deleted at the end)
              --help                  this text

            Lag is measured from a batch's last sample to the moment it was in S3, ingested, and attributed to
            its attempts (all its units), p50 and p99; the target is 2 batch intervals. The API's documents are
            recomputed by the insights job on its schedule (rate(1 day) by default): this command runs the job
            once at the end and reports how long it took.
            """;

    private LoadCommand() {
    }

    static int run(List<String> args, PrintStream out) throws Exception {
        List<String> a = new ArrayList<>(args);
        if (a.contains("--help") || a.contains("-h")) {
            out.print(HELP);
            return 0;
        }
        int hosts = Integer.parseInt(LocalMain.option(a, "--hosts", "1000"));
        String seconds = LocalMain.option(a, "--seconds", null);
        double minutes = Double.parseDouble(LocalMain.option(a, "--minutes", "5"));
        long durationMs = seconds != null ? Math.round(Double.parseDouble(seconds) * 1000) : Math.round(minutes * 60_000);
        long batchMs = Long.parseLong(LocalMain.option(a, "--batch-seconds", "60")) * 1000;
        long intervalMs = io.taskmeter.shipper.Main.duration(LocalMain.option(a, "--interval", "1s")).toMillis();
        int units = Integer.parseInt(LocalMain.option(a, "--units", "8"));
        int ingestBatch = Integer.parseInt(LocalMain.option(a, "--ingest-batch-size", "10"));
        int attributeBatch = Integer.parseInt(LocalMain.option(a, "--attribute-batch-size", "100"));
        int workers = Integer.parseInt(LocalMain.option(a, "--ingest-workers", "2"));
        int verify = Integer.parseInt(LocalMain.option(a, "--verify", "200"));
        long seed = Long.parseLong(LocalMain.option(a, "--seed", "1"));
        String dir = LocalMain.option(a, "--data-dir", null);
        if (!a.isEmpty()) {
            throw new IllegalArgumentException("unknown option(s) " + a);
        }
        if (hosts < 1 || units < 1 || durationMs < batchMs || intervalMs < 1 || batchMs % intervalMs != 0
                || ingestBatch < 1 || ingestBatch > 10_000 || attributeBatch < 1 || workers < 1) {
            throw new IllegalArgumentException("need --hosts >= 1, --units >= 1, a duration of at least one batch, "
                    + "a batch interval that is a whole number of sampling intervals, batch sizes and workers >= 1");
        }
        Path dataDir = dir == null ? Files.createTempDirectory("taskmeter-load") : Path.of(dir);
        Files.createDirectories(dataDir);
        LoadRun.Settings settings = new LoadRun.Settings(hosts, units, intervalMs, batchMs, durationMs, ingestBatch,
                attributeBatch, workers, verify, seed);
        LocalMain.progress(String.format("load: %d hosts x %d units, %d s batches of %d ms samples, for %.1f "
                        + "minutes (data in %s)", hosts, units, batchMs / 1000, intervalMs, durationMs / 60_000.0,
                dataDir));
        LoadRun.Result r;
        try {
            r = new LoadRun(settings, dataDir, LocalMain::progress).run();
        } finally {
            if (dir == null) {
                deleteTree(dataDir);
            }
        }
        print(r, out);
        boolean complete = r.ingestedBatches() == r.batches() && r.attributedBatches() == r.batches()
                && r.attemptsMatching() == r.attemptsChecked();
        return complete ? 0 : 1;
    }

    static void print(LoadRun.Result r, PrintStream out) {
        LoadRun.Settings s = r.settings();
        out.printf("Load: %d hosts x %d units, %d s batches, %.0f s of sending, %.0f s in all%n", s.hosts(),
                s.unitsPerHost(), s.batchMs() / 1000, s.durationMs() / 1000.0, r.elapsedSeconds());
        out.printf("  batches sent %d (%d unit-batches), ingested %d, attributed %d; failed invocations %d%n",
                r.batches(), r.units(), r.ingestedBatches(), r.attributedBatches(), r.failures());
        out.printf("  ingest: %d invocations (%.1f batches each), %.1f ms per batch; attribute: %d invocations, "
                        + "%.1f ms per batch%n", r.ingestInvocations(), r.batches() / (double) Math.max(1,
                        r.ingestInvocations()), 1000 * r.ingestSeconds() / Math.max(1, r.batches()),
                r.attributeInvocations(), 1000 * r.attributeSeconds() / Math.max(1, r.batches()));
        out.printf("  lag from a batch's last sample (target <= %d s):%n", 2 * s.batchMs() / 1000);
        lag(out, "in S3", r.uploadLagMs());
        lag(out, "ingested (usage table)", r.ingestLagMs());
        lag(out, "attributed (attempts)", r.attributeLagMs());
        long p99 = LoadRun.percentile(r.attributeLagMs(), 99);
        out.printf("  keeps up: %s (p99 attributed lag %.1f s vs %d s)%n",
                r.attributedBatches() == r.batches() && p99 <= 2 * s.batchMs() ? "yes" : "NO", p99 / 1000.0,
                2 * s.batchMs() / 1000);
        out.printf("  insights job once over everything: %.1f s, %.0f read and %.0f write units%n",
                r.insightsJobSeconds(), r.withJob().totalReadUnits() - r.usage().totalReadUnits(),
                r.withJob().totalWriteUnits() - r.usage().totalWriteUnits());
        out.printf("  API check: %d of %d attempts show exactly the CPU-seconds their hosts generated%n",
                r.attemptsMatching(), r.attemptsChecked());
        r.mismatches().forEach(m -> out.println("    " + m));
        CostModel.print(CostModel.of(r), r, out);
    }

    private static void lag(PrintStream out, String what, long[] sorted) {
        out.printf("    %-24s p50 %7.2f s  p99 %7.2f s  max %7.2f s  (%d batches)%n", what,
                LoadRun.percentile(sorted, 50) / 1000.0, LoadRun.percentile(sorted, 99) / 1000.0,
                sorted.length == 0 ? 0 : sorted[sorted.length - 1] / 1000.0, sorted.length);
    }

    private static void deleteTree(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (java.io.IOException e) {
            LocalMain.progress("could not delete " + dir + ": " + e.getMessage());
        }
    }
}

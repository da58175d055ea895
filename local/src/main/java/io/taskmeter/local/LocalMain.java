package io.taskmeter.local;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.taskmeter.shipper.Shipper;
import io.taskmeter.shipper.ShipperConfig;

import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Level;
import java.util.logging.Logger;

/** {@code java -jar taskmeter-local.jar demo|run}: the whole pipeline on this machine, against real processes. */
public final class LocalMain {
    static final String HELP = """
            taskmeter local mode: the whole pipeline on this machine. S3Proxy and DynamoDB Local run in this
            process; the shipper samples real processes; every batch goes through the same ingest, attribute and
            insights handlers as in AWS; the insights API is served on 127.0.0.1.

            Usage:
              java -jar taskmeter-local.jar demo [options]
                  Runs a built-in workload of real processes shaped like Airflow 2/3 tasks and a Prefect flow run
                  (CPU-bound, I/O-heavy, memory-heavy, idle, many short-lived subprocesses), prints the report,
                  then keeps serving the API until Ctrl-C (or exits with --once).
              java -jar taskmeter-local.jar run [--task NAME] [options] -- CMD ARGS...
                  Runs CMD as an observed task through the whole pipeline and prints its report when it exits,
                  like /usr/bin/time -v for the whole process tree; exits with CMD's exit code.
              java -jar taskmeter-local.jar load [--hosts 1000] [--minutes 5] [options]
                  Simulated hosts send batches at their real rate through the whole pipeline: lag p50/p99,
                  an API check of what was counted, and the AWS cost per host-month (load --help).

            Options:
              --json               the report as JSON on stdout (progress and logs go to stderr)
              --once               demo: exit after the report instead of serving the API
              --task NAME          run: the task's name (default: the command's name)
              --data-dir DIR       where S3 objects and tables live (default ~/.taskmeter/local)
              --port N             API port on 127.0.0.1 (default 8787; 0 picks a free one)
              --interval DUR       sampling interval (default 500ms)
              --batch-seconds N    batch interval (default 5)
              --instance-type T    price this host as EC2 type T (default: assumed from its CPU count)
              --stall-after SECS   alert when a running task shows no CPU and no I/O for this long (default 600;
                                   demo: 5, so its idle task raises one); I/O-hang and spin scale with it
              --airflow-url URL    poll this Airflow 2 (/api/v1) or 3 (/api/v2) for task instances and DAG runs
                                   [TASKMETER_AIRFLOW_URL]; --airflow-username/--airflow-password (basic auth,
                                   or a JWT from /auth/token on Airflow 3) or --airflow-token
                                   [TASKMETER_AIRFLOW_USERNAME, _PASSWORD, _TOKEN]
              --prefect-url URL    poll this Prefect server (/api) or Cloud workspace for flow and task runs
                                   [TASKMETER_PREFECT_URL]; --prefect-api-key [TASKMETER_PREFECT_API_KEY]
                                   Metadata documents the pollers write, and any other object put in the local
                                   S3 bucket under metadata/v1/, are ingested and joined to the observed tasks
                                   (docs/orchestrators.md)
              --help               this text

            API: GET /v1/tasks, /v1/tasks/{id}, /v1/attempts/{id}, /v1/costs?groupBy=dag|flow|task|run, /v1/stalls,
                 /v1/health; POST /v1/events (pushed orchestrator events, with TASKMETER_EVENTS_TOKEN set)
            """;

    private LocalMain() {
    }

    public static void main(String[] args) throws Exception {
        PrintStream stdout = System.out;
        // stdout carries the report alone (JSON stays parseable); the stand-ins' banners go to stderr.
        System.setOut(System.err);
        quietLibraries();
        int code;
        try {
            code = run(args, stdout);
        } catch (IllegalArgumentException e) {
            System.err.println("taskmeter: " + e.getMessage() + "\nRun with --help for usage.");
            code = 2;
        }
        stdout.flush();
        System.exit(code);
    }

    public static int run(String[] args, PrintStream stdout) throws Exception {
        List<String> a = new ArrayList<>(Arrays.asList(args));
        if (a.isEmpty() || !a.get(0).equals("load") && (a.contains("--help") || a.contains("-h"))) {
            stdout.print(HELP);
            return a.isEmpty() ? 2 : 0;
        }
        String command = a.remove(0);
        if (command.equals("load")) {
            return LoadCommand.run(a, stdout);
        }
        List<String> cmd = List.of();
        int dash = a.indexOf("--");
        if (dash >= 0) {
            cmd = List.copyOf(a.subList(dash + 1, a.size()));
            a = new ArrayList<>(a.subList(0, dash));
        }
        boolean json = a.remove("--json");
        boolean once = a.remove("--once");
        String task = option(a, "--task", null);
        Path dataDir = Path.of(option(a, "--data-dir", Path.of(System.getProperty("user.home"), ".taskmeter", "local").toString()));
        int port = Integer.parseInt(option(a, "--port", "8787"));
        Duration interval = io.taskmeter.shipper.Main.duration(option(a, "--interval", "500ms"));
        long batchSeconds = Long.parseLong(option(a, "--batch-seconds", "5"));
        String instanceType = option(a, "--instance-type", null);
        OrchestratorUrls orchestrators = OrchestratorUrls.take(a, System.getenv());
        double stallAfter = Double.parseDouble(option(a, "--stall-after", command.equals("demo") ? "5" : "600"));
        if (!a.isEmpty()) {
            throw new IllegalArgumentException("unknown option(s) " + a);
        }
        if (!command.equals("demo") && !command.equals("run")) {
            throw new IllegalArgumentException("unknown command '" + command + "': use demo, run or load");
        }
        if (command.equals("run") && cmd.isEmpty()) {
            throw new IllegalArgumentException("run needs a command after --, e.g. run -- sleep 1");
        }
        Files.createDirectories(dataDir);
        // The stand-ins accept any key; the shipper's default credentials chain finds these first.
        System.setProperty("aws.accessKeyId", "taskmeter");
        System.setProperty("aws.secretAccessKey", "taskmeter-local");
        System.setProperty("aws.disableEc2Metadata", "true");
        String hostId = "local-" + ShipperHost.id();
        String since = Instant.now().minusMillis(1000).toString();
        progress("starting S3Proxy and DynamoDB Local (data in " + dataDir + ")");
        try (LocalPipeline pipeline = new LocalPipeline(dataDir, stallAfter)) {
            ShipperConfig config = new ShipperConfig(interval, Duration.ofSeconds(batchSeconds),
                    URI.create("s3://" + LocalPipeline.BUCKET + "/"), URI.create(pipeline.s3Endpoint()), "us-east-1",
                    hostId, dataDir.resolve("spool"), 256L << 20, instanceType, List.of());
            int exitCode = 0;
            pipeline.watchMetadata(2);
            try (Shipper shipper = Shipper.start(config, pipeline::deliver);
                 AutoCloseable polling = MetadataPolling.start(orchestrators, shipper, dataDir)) {
                if (command.equals("demo")) {
                    progress("running the demo workload: SIMULATED Airflow 2/3 tasks and a Prefect flow run "
                            + "(real processes doing real work; only their titles and environment imitate the "
                            + "orchestrators)");
                    String stamp = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss").withZone(ZoneOffset.UTC)
                            .format(Instant.now());
                    List<Process> ps = Demo.start(Files.createDirectories(dataDir.resolve("scratch")), stamp);
                    waitWithProgress(ps, pipeline);
                } else {
                    exitCode = new ObservedCommand(cmd, task == null ? Path.of(cmd.get(0)).getFileName().toString()
                            : task, UUID.randomUUID().toString()).run(shipper);
                }
                progress("flushing the last batch");
                shipper.flush();
            }
            progress("computing recommendations and costs, writing the report");
            Path html = pipeline.writeReport();
            ObjectNode report = Report.collect(pipeline, hostId, since);
            if (json) {
                Report.printJson(report, stdout);
            } else {
                Report.printTable(report, stdout);
            }
            progress("report: " + html + " (and .json, .csv beside it)");
            if (command.equals("demo") && !once) {
                int bound = pipeline.serveApi(port);
                pipeline.scheduleInsights(60);
                System.err.println("\nAPI on http://127.0.0.1:" + bound + "/v1/tasks (Ctrl-C to stop)");
                new CountDownLatch(1).await();
            }
            return exitCode;
        }
    }

    private static void waitWithProgress(List<Process> ps, LocalPipeline pipeline) throws InterruptedException {
        long start = System.nanoTime();
        while (ps.stream().anyMatch(Process::isAlive)) {
            long alive = ps.stream().filter(Process::isAlive).count();
            progress(String.format("  %2ds: %d of %d tasks running, %d batches through the pipeline",
                    (System.nanoTime() - start) / 1_000_000_000L, alive, ps.size(), pipeline.delivered()));
            Thread.sleep(2000);
        }
    }

    static void progress(String line) {
        System.err.println("taskmeter: " + line);
    }

    static String option(List<String> a, String name, String fallback) {
        int i = a.indexOf(name);
        if (i < 0) {
            return fallback;
        }
        if (i + 1 >= a.size()) {
            throw new IllegalArgumentException(name + " needs a value");
        }
        String v = a.get(i + 1);
        a.remove(i + 1);
        a.remove(i);
        return v;
    }

    private static void quietLibraries() {
        for (String name : List.of("org.eclipse.jetty", "org.gaul", "com.amazonaws", "software.amazon", "oshi")) {
            Logger.getLogger(name).setLevel(Level.WARNING);
        }
    }
}

package io.taskmeter.shipper;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/** {@code taskmeter-shipper [options]}: flags win over TASKMETER_* environment variables, which win over defaults. */
public final class Main {
    static final String HELP = """
            taskmeter-shipper: samples the process trees of Airflow, Prefect and TASKMETER_TASK-tagged tasks on this
            host and uploads them in batches. Nothing is read from a process's environment but an allow-list of
            orchestrator variables; command lines are redacted before they leave the host.

            Usage: taskmeter-shipper [options]        (Linux only; run as root to see every user's processes)
                   taskmeter-shipper status [options] spool depth, last upload

              --sink URI           s3://bucket/prefix (default from TASKMETER_SINK) or file:///dir
              --s3-endpoint URL    an S3-compatible endpoint instead of AWS, path-style (TASKMETER_S3_ENDPOINT)
              --region NAME        AWS region (AWS_REGION, default us-east-1)
              --interval DUR       sampling interval, e.g. 1s or 500ms (TASKMETER_INTERVAL, default 1s)
              --batch-seconds N    cut and upload a batch every N seconds (TASKMETER_BATCH_SECONDS, default 60)
              --host-id ID         this host's id in keys and reports (TASKMETER_HOST_ID, default the hostname)
              --spool-dir DIR      batches wait here until S3 confirms them (TASKMETER_SPOOL_DIR,
                                   default /var/lib/taskmeter/spool as root, else ~/.taskmeter/spool)
              --max-spool-mb N     spool bound; the oldest batches are dropped and counted beyond it (default 256)
              --instance-type T    EC2 instance type for pricing when the host cannot tell (TASKMETER_INSTANCE_TYPE)
              --redact REGEX       also redact matches of REGEX in command lines (repeatable)
              --once               take samples for one batch interval, upload one batch, exit
              --help               this text
            SIGTERM takes a last sample, cuts and uploads a final batch; what cannot be uploaded stays spooled.
            """;

    private Main() {
    }

    public static void main(String[] args) throws Exception {
        Parsed p;
        try {
            p = parse(args, System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println("taskmeter-shipper: " + e.getMessage() + "\nRun with --help for the options.");
            System.exit(2);
            return;
        }
        if (p.help) {
            System.out.print(HELP);
            return;
        }
        if (p.status) {
            Spool spool = new Spool(p.config.spoolDir(), p.config.maxSpoolBytes());
            System.out.println("spool: " + spool.entries().size() + " batches waiting in " + spool.dir());
            return;
        }
        Shipper shipper = Shipper.start(p.config, key -> { });
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            shipper.close();
            stop.countDown();
        }));
        if (p.once) {
            Thread.sleep(p.config.batchEvery().toMillis());
            shipper.flush();
            System.exit(0);
        }
        stop.await();
    }

    record Parsed(ShipperConfig config, boolean help, boolean once, boolean status) {
    }

    static Parsed parse(String[] args, Map<String, String> env) {
        String sink = env.get("TASKMETER_SINK");
        String endpoint = env.get("TASKMETER_S3_ENDPOINT");
        String region = env.getOrDefault("AWS_REGION", "us-east-1");
        String interval = env.getOrDefault("TASKMETER_INTERVAL", "1s");
        String batch = env.getOrDefault("TASKMETER_BATCH_SECONDS", "60");
        String hostId = env.getOrDefault("TASKMETER_HOST_ID", ShipperConfig.defaultHostId());
        String spool = env.get("TASKMETER_SPOOL_DIR");
        String maxSpool = "256";
        String instanceType = env.get("TASKMETER_INSTANCE_TYPE");
        List<String> redact = new ArrayList<>();
        boolean help = false;
        boolean once = false;
        boolean status = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--help", "-h" -> help = true;
                case "--once" -> once = true;
                case "status" -> status = true;
                case "--sink" -> sink = value(args, ++i, a);
                case "--s3-endpoint" -> endpoint = value(args, ++i, a);
                case "--region" -> region = value(args, ++i, a);
                case "--interval" -> interval = value(args, ++i, a);
                case "--batch-seconds" -> batch = value(args, ++i, a);
                case "--host-id" -> hostId = value(args, ++i, a);
                case "--spool-dir" -> spool = value(args, ++i, a);
                case "--max-spool-mb" -> maxSpool = value(args, ++i, a);
                case "--instance-type" -> instanceType = value(args, ++i, a);
                case "--redact" -> redact.add(value(args, ++i, a));
                default -> throw new IllegalArgumentException("unknown option '" + a + "'");
            }
        }
        if (help) {
            return new Parsed(null, true, false, false);
        }
        if (sink == null && !status) {
            throw new IllegalArgumentException("no sink: give --sink s3://bucket/prefix (or file:///dir), "
                    + "or set TASKMETER_SINK");
        }
        Path spoolDir = spool != null ? Path.of(spool) : "root".equals(System.getProperty("user.name"))
                ? Path.of("/var/lib/taskmeter/spool") : Path.of(System.getProperty("user.home"), ".taskmeter", "spool");
        try {
            return new Parsed(new ShipperConfig(duration(interval), Duration.ofSeconds(Long.parseLong(batch)),
                    URI.create(sink == null ? "file:///dev/null" : sink), endpoint == null ? null : URI.create(endpoint),
                    region, hostId, spoolDir, Long.parseLong(maxSpool) << 20, instanceType, redact), false, once, status);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a number: " + e.getMessage());
        }
    }

    public static Duration duration(String s) {
        String v = s.strip();
        try {
            if (v.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
            }
            if (v.endsWith("s")) {
                return Duration.ofMillis(Math.round(Double.parseDouble(v.substring(0, v.length() - 1)) * 1000));
            }
            return Duration.ofMillis(Math.round(Double.parseDouble(v) * 1000));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + s + "' is not a duration such as 1s or 500ms");
        }
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }
}

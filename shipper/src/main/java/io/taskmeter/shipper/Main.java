package io.taskmeter.shipper;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Logger;

import sun.misc.Signal;

/** {@code taskmeter-shipper [options]}: flags win over TASKMETER_* environment variables, which win over defaults. */
public final class Main {
    static {
        // One line per event, before java.util.logging reads its format.
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
            System.setProperty("java.util.logging.SimpleFormatter.format",
                    "%1$tFT%1$tT.%1$tLZ %4$s %3$s: %5$s%6$s%n");
        }
    }

    private static final Logger LOG = Logger.getLogger(Main.class.getName());

    static final String HELP = """
            taskmeter-shipper: samples the process trees of Airflow, Prefect and TASKMETER_TASK-tagged tasks on this
            host and uploads them in batches. Nothing is read from a process's environment but an allow-list of
            orchestrator variables; command lines are redacted before they leave the host.

            Usage: taskmeter-shipper [options]          (Linux only; run as root to see every user's processes)
                   taskmeter-shipper status [options]   how many batches wait in the spool

            Options (environment variable in brackets; flags win over the environment, which wins over defaults):
              --sink URI           where batches go: s3://bucket/prefix or file:///dir  [TASKMETER_SINK] (required)
              --s3-endpoint URL    an S3-compatible endpoint instead of AWS, path-style  [TASKMETER_S3_ENDPOINT]
              --region NAME        AWS region of the bucket  [TASKMETER_REGION, AWS_REGION] (default us-east-1)
              --interval DUR       sampling interval, e.g. 1s or 500ms  [TASKMETER_INTERVAL] (default 1s)
              --batch-seconds N    cut and upload a batch every N seconds, also when no task runs (a heartbeat)
                                   [TASKMETER_BATCH_SECONDS] (default 60)
              --host-id ID         this host's id in keys and reports, [A-Za-z0-9._-]  [TASKMETER_HOST_ID]
                                   (default the hostname, sanitised)
              --spool-dir DIR      batches wait here until the sink confirms them  [TASKMETER_SPOOL_DIR]
                                   (default /var/lib/taskmeter/spool as root, else ~/.taskmeter/spool)
              --max-spool-mb N     spool bound in MiB; beyond it the oldest batches are dropped and the count is
                                   reported in the next batch  [TASKMETER_MAX_SPOOL_MB] (default 256)
              --instance-type T    EC2 instance type, for pricing  [TASKMETER_INSTANCE_TYPE] (default unknown)
              --redact REGEX       also redact matches of REGEX from command lines; repeatable
                                   [TASKMETER_REDACT, one pattern per line]
              --once               sample for one batch interval, upload one batch, exit  [TASKMETER_ONCE=true]
              --help               print this text and exit
            Every option also takes the form --option=value. Exit status: 0 done, 1 failure, 2 bad options.
            SIGTERM takes a last sample, cuts and uploads a final batch; what cannot be uploaded stays spooled and
            is uploaded at the next start.
            """;

    private Main() {
    }

    public static void main(String[] args) {
        Parsed p;
        try {
            p = parse(args, System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println("taskmeter-shipper: " + e.getMessage() + "\nRun taskmeter-shipper --help for the options.");
            System.exit(2);
            return;
        }
        if (p.help()) {
            System.out.print(HELP);
            return;
        }
        try {
            System.exit(run(p));
        } catch (Exception e) {
            System.err.println("taskmeter-shipper: " + e.getMessage());
            System.exit(1);
        }
    }

    private static int run(Parsed p) throws Exception {
        if (p.status()) {
            Spool spool = new Spool(p.config().spoolDir(), p.config().maxSpoolBytes());
            System.out.println("spool: " + spool.entries().size() + " batches waiting in " + spool.dir());
            return 0;
        }
        Shipper shipper = Shipper.start(p.config(), key -> LOG.fine(() -> "uploaded " + key));
        if (p.config().once()) {
            Thread.sleep(p.config().batchEvery().toMillis());
            return shipper.stop(true) ? 0 : 1;
        }
        CountDownLatch stop = new CountDownLatch(1);
        // SIGTERM (systemd's stop) and SIGINT are a normal end: the final batch is cut and the exit status is 0,
        // which a shutdown hook alone cannot give (the JVM then exits with 143).
        for (String name : List.of("TERM", "INT")) {
            Signal.handle(new Signal(name), s -> stop.countDown());
        }
        stop.await();
        LOG.info("stopping: final sample, batch and upload");
        if (!shipper.stop(true)) {
            LOG.warning("the final batches stay spooled in " + p.config().spoolDir() + " for the next start");
        }
        return 0;
    }

    record Parsed(ShipperConfig config, boolean help, boolean status) {
    }

    static Parsed parse(String[] args, Map<String, String> env) {
        String sink = env.get("TASKMETER_SINK");
        String endpoint = env.get("TASKMETER_S3_ENDPOINT");
        String region = env.getOrDefault("TASKMETER_REGION", env.getOrDefault("AWS_REGION", "us-east-1"));
        String interval = env.getOrDefault("TASKMETER_INTERVAL", "1s");
        String batch = env.getOrDefault("TASKMETER_BATCH_SECONDS", "60");
        String hostId = env.get("TASKMETER_HOST_ID");
        String spool = env.get("TASKMETER_SPOOL_DIR");
        String maxSpool = env.getOrDefault("TASKMETER_MAX_SPOOL_MB", "256");
        String instanceType = env.get("TASKMETER_INSTANCE_TYPE");
        List<String> redact = new ArrayList<>();
        if (env.get("TASKMETER_REDACT") != null) {
            env.get("TASKMETER_REDACT").lines().filter(l -> !l.isBlank()).forEach(redact::add);
        }
        boolean once = "true".equalsIgnoreCase(env.getOrDefault("TASKMETER_ONCE", "false"));
        boolean help = false;
        boolean status = false;
        boolean flagRedact = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String inline = null;
            if (a.startsWith("--") && a.contains("=")) {
                inline = a.substring(a.indexOf('=') + 1);
                a = a.substring(0, a.indexOf('='));
            }
            boolean takesValue = switch (a) {
                case "--help", "-h", "--once", "status" -> false;
                default -> true;
            };
            if (!takesValue && inline != null) {
                throw new IllegalArgumentException(a + " takes no value");
            }
            String v = null;
            if (takesValue && isKnown(a)) {
                if (inline != null) {
                    v = inline;
                } else if (i + 1 < args.length) {
                    v = args[++i];
                } else {
                    throw new IllegalArgumentException(a + " needs a value");
                }
            }
            switch (a) {
                case "--help", "-h" -> help = true;
                case "--once" -> once = true;
                case "status" -> status = true;
                case "--sink" -> sink = v;
                case "--s3-endpoint" -> endpoint = v;
                case "--region" -> region = v;
                case "--interval" -> interval = v;
                case "--batch-seconds" -> batch = v;
                case "--host-id" -> hostId = v;
                case "--spool-dir" -> spool = v;
                case "--max-spool-mb" -> maxSpool = v;
                case "--instance-type" -> instanceType = v;
                case "--redact" -> {
                    if (!flagRedact) {
                        redact.clear(); // flags replace the environment's patterns
                        flagRedact = true;
                    }
                    redact.add(v);
                }
                default -> throw new IllegalArgumentException("unknown option '" + a + "'");
            }
        }
        if (help) {
            return new Parsed(null, true, false);
        }
        if (sink == null && !status) {
            throw new IllegalArgumentException("no sink: give --sink s3://bucket/prefix (or file:///dir), "
                    + "or set TASKMETER_SINK");
        }
        long batchSeconds = number("--batch-seconds", batch);
        long maxSpoolMb = number("--max-spool-mb", maxSpool);
        if (batchSeconds < 1 || maxSpoolMb < 1) {
            throw new IllegalArgumentException("--batch-seconds and --max-spool-mb must be at least 1");
        }
        URI sinkUri = uri("--sink", sink == null ? "file:///dev/null" : sink);
        if ("file".equals(sinkUri.getScheme()) && sinkUri.getPath() == null) {
            throw new IllegalArgumentException("--sink " + sink + ": a directory sink is file:///absolute/dir");
        }
        URI endpointUri = endpoint == null || endpoint.isBlank() ? null : uri("--s3-endpoint", endpoint);
        if (endpointUri != null && (endpointUri.getScheme() == null || endpointUri.getHost() == null)) {
            throw new IllegalArgumentException("--s3-endpoint " + endpoint + " is not a URL such as http://host:9000");
        }
        ShipperConfig config = new ShipperConfig(duration(interval), Duration.ofSeconds(batchSeconds), sinkUri,
                endpointUri, region, hostId == null ? ShipperConfig.defaultHostId() : hostId,
                spool != null ? Path.of(spool) : ShipperConfig.defaultSpoolDir(), maxSpoolMb << 20, instanceType,
                redact, once);
        return new Parsed(config, false, status);
    }

    private static boolean isKnown(String option) {
        return List.of("--sink", "--s3-endpoint", "--region", "--interval", "--batch-seconds", "--host-id",
                "--spool-dir", "--max-spool-mb", "--instance-type", "--redact").contains(option);
    }

    private static long number(String option, String v) {
        try {
            return Long.parseLong(v.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " '" + v + "' is not a whole number");
        }
    }

    private static URI uri(String option, String v) {
        try {
            return new URI(v.strip());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(option + " '" + v + "' is not a URI: " + e.getReason());
        }
    }

    /** "1s", "500ms", "1.5s", "2m" or a number of seconds. */
    public static Duration duration(String s) {
        String v = s.strip();
        try {
            if (v.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2).strip()));
            }
            if (v.endsWith("s")) {
                return Duration.ofMillis(Math.round(Double.parseDouble(v.substring(0, v.length() - 1)) * 1000));
            }
            if (v.endsWith("m")) {
                return Duration.ofMillis(Math.round(Double.parseDouble(v.substring(0, v.length() - 1)) * 60_000));
            }
            return Duration.ofMillis(Math.round(Double.parseDouble(v) * 1000));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + s + "' is not a duration such as 1s or 500ms");
        }
    }
}

package io.taskmeter.shipper;

import io.taskmeter.pollers.PollLoop;
import io.taskmeter.pollers.PollerConfig;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Logger;

import sun.misc.Signal;

/**
 * {@code taskmeter-shipper [options]}: flags win over TASKMETER_* environment variables, which win over the config
 * file, which wins over the defaults.
 */
public final class Main {
    static {
        // One line per event, before java.util.logging reads its format.
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
            System.setProperty("java.util.logging.SimpleFormatter.format",
                    "%1$tFT%1$tT.%1$tLZ %4$s %3$s: %5$s%6$s%n");
        }
    }

    private static final Logger LOG = Logger.getLogger(Main.class.getName());

    static final Path DEFAULT_CONFIG = Path.of("/etc/taskmeter/shipper.conf");

    static final String HELP = """
            taskmeter-shipper: samples the process trees of Airflow, Prefect and TASKMETER_TASK-tagged tasks on this
            host and uploads them in batches. Nothing is read from a process's environment but an allow-list of
            orchestrator variables; command lines are redacted before they leave the host.

            Usage: taskmeter-shipper [options]                run (Linux; as root to see every user's processes)
                   taskmeter-shipper status [--json] [options] spool depth, last upload, drops, open batch

            Each setting comes from, in this order: a flag, its environment variable (in brackets), a line
            `name = value` of the config file (the flag's name without the dashes; '#' starts a comment), the default.
              --config PATH        config file  [TASKMETER_CONFIG] (default /etc/taskmeter/shipper.conf if it exists)
              --sink URI           where batches go: s3://bucket/prefix or file:///dir  [TASKMETER_SINK] (required)
              --s3-endpoint URL    an S3-compatible endpoint instead of AWS, path-style  [TASKMETER_S3_ENDPOINT]
              --region NAME        AWS region of the bucket  [TASKMETER_REGION, AWS_REGION] (default us-east-1)
              --interval DUR       sampling interval, e.g. 1s or 500ms  [TASKMETER_INTERVAL] (default 1s)
              --batch-seconds N    cut and upload a batch every N seconds, also when no task runs (a heartbeat)
                                   [TASKMETER_BATCH_SECONDS] (default 60)
              --host-id ID         this host's id in keys and reports, [A-Za-z0-9._-]  [TASKMETER_HOST_ID]
                                   (default the hostname, sanitised)
              --spool-dir DIR      batches wait here until the sink confirms them; the open batch's journal and
                                   state.json live here too  [TASKMETER_SPOOL_DIR]
                                   (default /var/lib/taskmeter/spool as root, else ~/.taskmeter/spool)
              --max-spool-mb N     spool bound in MiB; beyond it the oldest batches are dropped and the count is
                                   reported in the next batch  [TASKMETER_MAX_SPOOL_MB] (default 256)
              --max-spool-age DUR  spool bound in age, e.g. 72h or 7d; older batches are dropped and counted the
                                   same way  [TASKMETER_MAX_SPOOL_AGE] (default 7d)
              --instance-type T    EC2 instance type, for pricing  [TASKMETER_INSTANCE_TYPE] (default unknown)
              --redact REGEX       also redact matches of REGEX from command lines; repeatable
                                   [TASKMETER_REDACT, one pattern per line] (default none besides the built-in ones)
              --boot-id-file PATH  where the boot id is read  [TASKMETER_BOOT_ID_FILE]
                                   (default /proc/sys/kernel/random/boot_id)
              --once               sample for one batch interval, upload one batch, exit  [TASKMETER_ONCE=true]
                                   (with --orchestrator: poll each orchestrator once, too)
              --json               with status: print JSON
            Orchestrator metadata (Airflow and Prefect REST APIs, read-only; documents go to the sink under
            metadata/v1/, spooled and retried like batches; cursors kept in orchestrator-state/ next to the spool):
              --orchestrator airflow=URL   poll Airflow 2 (/api/v1) or 3 (/api/v2) at URL, the webserver or API
                                   server root; repeatable  [TASKMETER_ORCHESTRATOR, one per line]
              --orchestrator prefect=URL   poll Prefect: a server root (its /api is used) or a Prefect Cloud
                                   workspace, https://api.prefect.cloud/api/accounts/<id>/workspaces/<id>
              --orchestrator-interval DUR  time between polls  [TASKMETER_ORCHESTRATOR_INTERVAL] (default 30s)
              --airflow-username U, --airflow-password P
                                   basic auth (Airflow 2), a JWT from /auth/token (Airflow 3)
                                   [TASKMETER_AIRFLOW_USERNAME, TASKMETER_AIRFLOW_PASSWORD]
              --airflow-token T    an Airflow bearer token, used as is  [TASKMETER_AIRFLOW_TOKEN]
              --prefect-api-key K  Prefect Cloud (or keyed server) API key  [TASKMETER_PREFECT_API_KEY]
                                   Prefer the environment or the config file for secrets: other users can read a
                                   command line.
              --help               print this text and exit
            Every option also takes the form --option=value. Exit status: 0 done, 1 failure, 2 bad options.
            SIGTERM takes a last sample, cuts and uploads a final batch and exits 0; what cannot be uploaded stays
            spooled and is uploaded at the next start. After a crash (kill -9, power loss) the open batch is
            recovered from its journal at the next start.
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
            StatusReport r = StatusReport.read(p.config().spoolDir(), System.currentTimeMillis());
            System.out.print(p.json() ? r.json() + "\n" : r.text());
            return 0;
        }
        List<PollerConfig> orchestrators = p.orchestrators().configs(p.config().spoolDir());
        Shipper shipper = Shipper.start(p.config(), key -> LOG.fine(() -> "uploaded " + key));
        if (p.config().once()) {
            Orchestrators.pollOnce(orchestrators, shipper);
            Thread.sleep(p.config().batchEvery().toMillis());
            return shipper.stop(true) ? 0 : 1;
        }
        List<PollLoop> pollers = Orchestrators.start(orchestrators, shipper);
        CountDownLatch stop = new CountDownLatch(1);
        // SIGTERM (systemd's stop) and SIGINT are a normal end: the final batch is cut and the exit status is 0,
        // which a shutdown hook alone cannot give (the JVM then exits with 143).
        for (String name : List.of("TERM", "INT")) {
            Signal.handle(new Signal(name), s -> stop.countDown());
        }
        stop.await();
        LOG.info("stopping: final sample, batch and upload");
        pollers.forEach(PollLoop::close);
        if (!shipper.stop(true)) {
            LOG.warning("the final batches stay spooled in " + p.config().spoolDir() + " for the next start");
        }
        return 0;
    }

    record Parsed(ShipperConfig config, boolean help, boolean status, boolean json, Orchestrators orchestrators) {
    }

    /** Options that take a value, and the environment variables that stand for them (first found wins). */
    private static final Map<String, List<String>> VALUED = new LinkedHashMap<>();

    static {
        for (String o : List.of("config", "sink", "s3-endpoint", "interval", "batch-seconds", "host-id",
                "spool-dir", "max-spool-mb", "max-spool-age", "instance-type", "redact", "boot-id-file", "orchestrator",
                "orchestrator-interval", "airflow-username", "airflow-password", "airflow-token", "prefect-api-key")) {
            VALUED.put(o, List.of("TASKMETER_" + o.toUpperCase(Locale.ROOT).replace('-', '_')));
        }
        VALUED.put("region", List.of("TASKMETER_REGION", "AWS_REGION"));
    }

    /** Options whose environment variable holds one value per line. */
    private static final List<String> MULTI_LINE = List.of("redact", "orchestrator");

    static Parsed parse(String[] args, Map<String, String> env) {
        return parse(args, env, DEFAULT_CONFIG);
    }

    /** Flags, then environment, then the config file, then defaults: the first source that sets a name wins. */
    static Parsed parse(String[] args, Map<String, String> env, Path defaultConfig) {
        Map<String, List<String>> flags = new LinkedHashMap<>();
        boolean help = false;
        boolean status = false;
        boolean json = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String inline = null;
            if (a.startsWith("--") && a.contains("=")) {
                inline = a.substring(a.indexOf('=') + 1);
                a = a.substring(0, a.indexOf('='));
            }
            String name = a.startsWith("--") ? a.substring(2) : a;
            if (a.startsWith("--") && VALUED.containsKey(name)) {
                String v;
                if (inline != null) {
                    v = inline;
                } else if (i + 1 < args.length) {
                    v = args[++i];
                } else {
                    throw new IllegalArgumentException(a + " needs a value");
                }
                flags.computeIfAbsent(name, k -> new ArrayList<>()).add(v);
                continue;
            }
            if (inline != null && List.of("--help", "--once", "--json").contains(a)) {
                throw new IllegalArgumentException(a + " takes no value");
            }
            switch (a) {
                case "--help", "-h" -> help = true;
                case "--once" -> flags.put("once", List.of("true"));
                case "--json" -> json = true;
                case "status" -> status = true;
                default -> throw new IllegalArgumentException("unknown option '" + a + "'");
            }
        }
        if (help) {
            return new Parsed(null, true, false, false, null);
        }
        Map<String, List<String>> fromEnv = new LinkedHashMap<>();
        VALUED.forEach((name, vars) -> vars.stream().map(env::get).filter(v -> v != null && !v.isBlank())
                .findFirst().ifPresent(v -> fromEnv.put(name, MULTI_LINE.contains(name)
                        ? v.lines().filter(l -> !l.isBlank()).toList() : List.of(v))));
        if (env.get("TASKMETER_ONCE") != null) {
            fromEnv.put("once", List.of(env.get("TASKMETER_ONCE")));
        }
        Path configFile;
        Map<String, List<String>> fromFile = Map.of();
        String named = first("config", flags, fromEnv, Map.of());
        if (named != null) {
            configFile = Path.of(named);
            if (!Files.isRegularFile(configFile)) {
                throw new IllegalArgumentException("config file " + configFile + " does not exist");
            }
        } else {
            configFile = defaultConfig != null && Files.isRegularFile(defaultConfig) ? defaultConfig : null;
        }
        if (configFile != null) {
            fromFile = ConfigFile.read(configFile, VALUED.keySet());
        }
        Map<String, List<String>> f = fromFile;
        java.util.function.Function<String, String> get = name -> first(name, flags, fromEnv, f);
        String sink = get.apply("sink");
        if (sink == null && !status) {
            throw new IllegalArgumentException("no sink: give --sink s3://bucket/prefix (or file:///dir), "
                    + "set TASKMETER_SINK, or write sink = ... in the config file");
        }
        long batchSeconds = number("--batch-seconds", or(get.apply("batch-seconds"), "60"));
        long maxSpoolMb = number("--max-spool-mb", or(get.apply("max-spool-mb"), "256"));
        if (batchSeconds < 1 || maxSpoolMb < 1) {
            throw new IllegalArgumentException("--batch-seconds and --max-spool-mb must be at least 1");
        }
        URI sinkUri = uri("--sink", sink == null ? "file:///dev/null" : sink);
        if ("file".equals(sinkUri.getScheme()) && sinkUri.getPath() == null) {
            throw new IllegalArgumentException("--sink " + sink + ": a directory sink is file:///absolute/dir");
        }
        String endpoint = get.apply("s3-endpoint");
        URI endpointUri = endpoint == null || endpoint.isBlank() ? null : uri("--s3-endpoint", endpoint);
        if (endpointUri != null && (endpointUri.getScheme() == null || endpointUri.getHost() == null)) {
            throw new IllegalArgumentException("--s3-endpoint " + endpoint + " is not a URL such as http://host:9000");
        }
        List<String> redact = flags.containsKey("redact") ? flags.get("redact")
                : fromEnv.containsKey("redact") ? fromEnv.get("redact") : f.getOrDefault("redact", List.of());
        String once = or(get.apply("once"), "false");
        if (!once.equalsIgnoreCase("true") && !once.equalsIgnoreCase("false")) {
            throw new IllegalArgumentException("once must be true or false, was '" + once + "'");
        }
        String hostId = get.apply("host-id");
        String spool = get.apply("spool-dir");
        String bootIdFile = get.apply("boot-id-file");
        ShipperConfig config = new ShipperConfig(duration(or(get.apply("interval"), "1s")),
                Duration.ofSeconds(batchSeconds), sinkUri, endpointUri, or(get.apply("region"), "us-east-1"),
                hostId == null ? ShipperConfig.defaultHostId() : hostId,
                spool != null ? Path.of(spool) : ShipperConfig.defaultSpoolDir(), maxSpoolMb << 20,
                get.apply("instance-type"), redact, Boolean.parseBoolean(once.toLowerCase(Locale.ROOT)),
                duration(or(get.apply("max-spool-age"), "7d")),
                bootIdFile == null ? ShipperConfig.DEFAULT_BOOT_ID_FILE : Path.of(bootIdFile));
        Orchestrators orchestrators = new Orchestrators(env);
        // The environment's list is the constructor's; flags, else the file, replace it only when it is absent.
        List<String> specs = flags.containsKey("orchestrator") ? flags.get("orchestrator")
                : fromEnv.containsKey("orchestrator") ? List.of() : f.getOrDefault("orchestrator", List.of());
        specs.forEach(spec -> orchestrators.set("--orchestrator", spec));
        for (String name : List.of("orchestrator-interval", "airflow-username", "airflow-password", "airflow-token",
                "prefect-api-key")) {
            String v = get.apply(name);
            if (v != null) {
                orchestrators.set("--" + name, v);
            }
        }
        orchestrators.configs(config.spoolDir()); // bad specs fail here, with exit status 2
        return new Parsed(config, false, status, json, orchestrators);
    }

    @SafeVarargs
    private static String first(String name, Map<String, List<String>>... sources) {
        for (Map<String, List<String>> s : sources) {
            List<String> v = s.get(name);
            if (v != null && !v.isEmpty()) {
                return v.get(v.size() - 1);
            }
        }
        return null;
    }

    private static String or(String v, String dflt) {
        return v == null ? dflt : v;
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

    /** "1s", "500ms", "1.5s", "2m", "72h", "7d" or a number of seconds. */
    public static Duration duration(String s) {
        String v = s.strip();
        try {
            if (v.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2).strip()));
            }
            if (v.endsWith("s")) {
                return Duration.ofMillis(Math.round(Double.parseDouble(v.substring(0, v.length() - 1)) * 1000));
            }
            if (v.endsWith("d")) {
                return Duration.ofMillis(Math.round(Double.parseDouble(v.substring(0, v.length() - 1)) * 86_400_000));
            }
            if (v.endsWith("h")) {
                return Duration.ofMillis(Math.round(Double.parseDouble(v.substring(0, v.length() - 1)) * 3_600_000));
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

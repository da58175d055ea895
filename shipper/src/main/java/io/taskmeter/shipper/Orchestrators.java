package io.taskmeter.shipper;

import io.taskmeter.core.metadata.MetadataCodec;
import io.taskmeter.core.metadata.MetadataDocument;
import io.taskmeter.pollers.Credentials;
import io.taskmeter.pollers.PollLoop;
import io.taskmeter.pollers.PollerConfig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * The shipper's orchestrator pollers: their options, and running them so that their metadata documents travel
 * like batches (spooled, then uploaded under the sink's prefix at {@code metadata/v1/...} with the uploader's
 * retries). Credentials come from options or the environment and are never logged.
 */
public final class Orchestrators {
    private static final Logger LOG = Logger.getLogger(Orchestrators.class.getName());
    static final List<String> OPTIONS = List.of("--orchestrator", "--orchestrator-interval", "--airflow-username",
            "--airflow-password", "--airflow-token", "--prefect-api-key");

    private final List<String> specs = new ArrayList<>();
    private boolean flagSpecs;
    private String interval;
    private Credentials flags = Credentials.NONE;
    private final Map<String, String> env;

    Orchestrators(Map<String, String> env) {
        this.env = env;
        String fromEnv = env.get("TASKMETER_ORCHESTRATOR");
        if (fromEnv != null) {
            fromEnv.lines().map(String::strip).filter(l -> !l.isEmpty()).forEach(specs::add);
        }
        interval = env.get("TASKMETER_ORCHESTRATOR_INTERVAL");
    }

    static boolean takes(String option) {
        return OPTIONS.contains(option);
    }

    void set(String option, String value) {
        switch (option) {
            case "--orchestrator" -> {
                if (!flagSpecs) {
                    specs.clear(); // flags replace the environment's list
                    flagSpecs = true;
                }
                specs.add(value);
            }
            case "--orchestrator-interval" -> interval = value;
            case "--airflow-username" -> flags = new Credentials(value, null, null, null).orElse(flags);
            case "--airflow-password" -> flags = new Credentials(null, value, null, null).orElse(flags);
            case "--airflow-token" -> flags = new Credentials(null, null, value, null).orElse(flags);
            case "--prefect-api-key" -> flags = new Credentials(null, null, null, value).orElse(flags);
            default -> throw new IllegalArgumentException("unknown option '" + option + "'");
        }
    }

    /** One configuration per {@code --orchestrator}; state files next to the spool directory. */
    List<PollerConfig> configs(Path spoolDir) {
        Duration every = interval == null ? PollerConfig.DEFAULT_INTERVAL : Main.duration(interval);
        if (every.toMillis() < 1000) {
            throw new IllegalArgumentException("--orchestrator-interval must be at least 1s");
        }
        Credentials credentials = flags.orElse(Credentials.fromEnvironment(env));
        Path stateDir = spoolDir.toAbsolutePath().resolveSibling("orchestrator-state");
        List<PollerConfig> out = new ArrayList<>();
        for (String spec : specs) {
            out.add(PollerConfig.parse(spec, credentials, stateDir).withInterval(every));
        }
        return out;
    }

    /** Polls every orchestrator once, now, and spools what changed (for {@code --once}). */
    public static void pollOnce(List<PollerConfig> configs, Shipper shipper) {
        for (PollerConfig c : configs) {
            try {
                new PollLoop(c, doc -> ship(shipper, doc)).pollOnce();
            } catch (IOException | RuntimeException e) {
                LOG.warning(c.kind() + " poll of " + c.url() + " failed: " + e.getMessage());
            }
        }
    }

    /** Starts one polling thread per orchestrator; close them before the shipper. */
    public static List<PollLoop> start(List<PollerConfig> configs, Shipper shipper) {
        List<PollLoop> loops = new ArrayList<>();
        for (PollerConfig c : configs) {
            loops.add(new PollLoop(c, doc -> ship(shipper, doc)).start());
        }
        return loops;
    }

    private static void ship(Shipper shipper, MetadataDocument doc) {
        try {
            shipper.ship(doc.key(), MetadataCodec.encode(doc));
        } catch (IOException e) {
            // The poll loop keeps its state and sends the document again at its next poll.
            throw new UncheckedIOException(e);
        }
    }
}

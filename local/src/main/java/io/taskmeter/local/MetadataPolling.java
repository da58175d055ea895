package io.taskmeter.local;

import io.taskmeter.pollers.Credentials;
import io.taskmeter.pollers.PollLoop;
import io.taskmeter.pollers.PollerConfig;
import io.taskmeter.shipper.Orchestrators;
import io.taskmeter.shipper.Shipper;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Starts the orchestrator pollers for the local session: the shipper's own ({@code --orchestrator}), so their
 * documents are spooled and uploaded by the same shipper, whose uploads the local pipeline delivers to ingest;
 * anything else under {@code metadata/v1/} is picked up by {@link LocalPipeline#deliverNewMetadata()}.
 */
final class MetadataPolling {
    /** A local session lasts minutes, not days: poll often enough that a run's metadata arrives before its report. */
    static final Duration INTERVAL = Duration.ofSeconds(5);

    private MetadataPolling() {
    }

    static AutoCloseable start(OrchestratorUrls urls, Shipper shipper, Path dataDir) {
        if (!urls.any()) {
            return () -> { };
        }
        Credentials credentials = new Credentials(urls.airflowUsername(), urls.airflowPassword(), urls.airflowToken(),
                urls.prefectApiKey());
        Path state = dataDir.resolve("orchestrator-state");
        List<PollerConfig> configs = urls.specs().stream()
                .map(spec -> PollerConfig.parse(spec, credentials, state).withInterval(INTERVAL)).toList();
        LocalMain.progress("polling " + urls.specs() + " every " + INTERVAL.toSeconds() + " s");
        List<PollLoop> loops = Orchestrators.start(configs, shipper);
        return () -> {
            loops.forEach(PollLoop::close);
            // One last poll, so that what ended with the session is in its report.
            Orchestrators.pollOnce(configs, shipper);
        };
    }
}

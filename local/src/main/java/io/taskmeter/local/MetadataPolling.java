package io.taskmeter.local;

import io.taskmeter.shipper.Shipper;

import java.nio.file.Path;

/**
 * Starts the orchestrator pollers for the local session. The pollers live in the shipper (the {@code pollers}
 * module, {@code --orchestrator}); they spool their documents through the same shipper, whose uploads the local
 * pipeline delivers to ingest, and anything else under {@code metadata/v1/} is picked up by
 * {@link LocalPipeline#deliverNewMetadata()}.
 */
final class MetadataPolling {
    private MetadataPolling() {
    }

    static AutoCloseable start(OrchestratorUrls urls, Shipper shipper, Path dataDir) {
        if (!urls.any()) {
            return () -> { };
        }
        // This build has no poller module to hand the specs to; say so rather than pretend to poll.
        LocalMain.progress("orchestrator pollers are not part of this build; " + urls.specs() + " not polled. "
                + "Documents written under " + dataDir.resolve("s3") + " at metadata/v1/ are still ingested.");
        return () -> { };
    }
}

package io.taskmeter.pollers;

import io.taskmeter.core.metadata.MetadataRecord;

import java.io.IOException;
import java.util.List;

/** One orchestrator's REST API, read: what runs now and what ended since a time (the orchestrator's clock). */
public interface Poller {
    /** {@code airflow} or {@code prefect}: the document's source. */
    String source();

    /** The orchestrator instance, for logs and documents: a label or the host of its URL. */
    String instance();

    /**
     * Every record that is active now or ended at or after {@code sinceMs}; all pages, or a failure: a poll that
     * read only some pages must not look complete.
     */
    List<MetadataRecord> fetch(long sinceMs) throws IOException;

    /**
     * Records that the previous poll saw active and this one did not return, each read again where it lives: an
     * earlier try of a task that was retried meanwhile, or a run whose end was stamped before the window by a
     * lagging clock. Those not found any more (deleted) are left out.
     */
    List<MetadataRecord> refetch(List<MetadataRecord> vanished) throws IOException;
}

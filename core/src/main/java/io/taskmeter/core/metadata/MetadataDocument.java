package io.taskmeter.core.metadata;

import com.fasterxml.jackson.annotation.JsonIgnore;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;

/**
 * What a poller (or a push endpoint) writes to S3: a batch of normalised records from one orchestrator
 * instance. Versioned like batches ({@code format}, {@code version} MAJOR.MINOR). Its key is derived from its
 * content, so the same records polled twice, or re-sent after a failed upload, overwrite one object instead of
 * making two.
 *
 * @param instance   which orchestrator: a label the poller was given, or the host of its URL
 * @param observedMs when the poller read the records (not part of the key)
 */
public record MetadataDocument(String format, String version, String source, String instance, long observedMs,
                               List<MetadataRecord> records) {
    public static final String FORMAT = "taskmeter-metadata";
    public static final String VERSION = "1.0";
    public static final int MAJOR = 1;
    /** Keys start with this (after the sink's prefix); ingest routes objects whose key has it. */
    public static final String ROOT = "metadata/v1/";

    public MetadataDocument {
        records = records == null ? List.of() : List.copyOf(records);
    }

    public static MetadataDocument of(String source, String instance, long observedMs, List<MetadataRecord> records) {
        return new MetadataDocument(FORMAT, VERSION, source, instance, observedMs, records);
    }

    /**
     * {@code metadata/v1/<source>/<yyyy-mm-dd>/<content hash>.json.gz}; the day is that of the newest time in
     * the records (so it too follows from the content), or of the observation when the records have none.
     */
    @JsonIgnore
    public String key() {
        long newest = Long.MIN_VALUE;
        for (MetadataRecord r : records) {
            for (Long t : new Long[] {r.updatedMs(), r.endMs(), r.startMs()}) {
                if (t != null) {
                    newest = Math.max(newest, t);
                }
            }
        }
        long when = newest == Long.MIN_VALUE ? observedMs : newest;
        LocalDate day = LocalDate.ofInstant(Instant.ofEpochMilli(when), ZoneOffset.UTC);
        return ROOT + safe(source) + "/" + day + "/" + MetadataCodec.contentHash(this) + ".json.gz";
    }

    private static String safe(String s) {
        return s == null ? "unknown" : s.replaceAll("[^A-Za-z0-9._-]", "-");
    }
}

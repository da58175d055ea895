package io.taskmeter.core.batch;

import java.util.List;

/**
 * What one shipper sends in one upload: every unit it followed during [startMs, endMs], with the counters needed
 * to compute every delta inside the batch alone. Batches are processed in any order and any number of times.
 *
 * @param seq           per-boot sequence number, from 1, never reused within a boot
 * @param droppedBatches batches the shipper had to drop (spool full) since the previous batch, so loss is visible
 */
public record Batch(String format, String version, String hostId, String bootId, String shipperVersion, long seq,
                    long startMs, long endMs, long intervalMs, HostInfo host, long droppedBatches,
                    List<UnitSeries> units) {

    public static final String FORMAT = "taskmeter-batch";
    public static final int MAJOR = 1;
    public static final String VERSION = "1.0";

    /** Identifies the batch across retries and duplicates: the same batch always has the same id. */
    public String batchId() {
        return hostId + "/" + bootId + "/" + seq;
    }
}

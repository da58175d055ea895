package io.taskmeter.core.batch;

import java.util.List;

/**
 * What one shipper sends in one upload: every unit it followed during [startMs, endMs], with the counters needed
 * to compute every delta inside the batch alone. Batches are processed in any order and any number of times.
 *
 * @param seq           per-boot sequence number, from 1, never reused within a boot
 * @param droppedBatches batches the shipper had to drop (spool full) since the previous batch, so loss is visible
 * @param hostSignals    (1.1) the host's CPU, load, memory, PSI, disks and network at each sampling instant; null
 *                       in 1.0 batches
 */
public record Batch(String format, String version, String hostId, String bootId, String shipperVersion, long seq,
                    long startMs, long endMs, long intervalMs, HostInfo host, long droppedBatches,
                    List<UnitSeries> units, HostSeries hostSignals) {

    public static final String FORMAT = "taskmeter-batch";
    public static final int MAJOR = 1;
    /** 1.1 added host signals and per-unit detail, all optional: a 1.0 batch still reads. */
    public static final String VERSION = "1.1";

    /** The 1.0 fields only. */
    public Batch(String format, String version, String hostId, String bootId, String shipperVersion, long seq,
                 long startMs, long endMs, long intervalMs, HostInfo host, long droppedBatches,
                 List<UnitSeries> units) {
        this(format, version, hostId, bootId, shipperVersion, seq, startMs, endMs, intervalMs, host, droppedBatches,
                units, null);
    }

    /** Identifies the batch across retries and duplicates: the same batch always has the same id. */
    public String batchId() {
        return hostId + "/" + bootId + "/" + seq;
    }
}

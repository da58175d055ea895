package io.taskmeter.shipper;

import io.taskmeter.core.batch.Batch;
import io.taskmeter.core.batch.BatchCodec;
import io.taskmeter.core.batch.BatchKey;
import io.taskmeter.core.batch.HostInfo;
import io.taskmeter.core.batch.UnitSeries;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.logging.Logger;

/**
 * Cuts batches: every unit's samples since the previous cut, numbered per boot from 1. The sequence number is
 * persisted durably in the spool directory ({@code seq-<boot id>}) before the batch is spooled, so a restart
 * continues the sequence and a number is never reused within a boot. A batch with no units is still cut: it is
 * the host's heartbeat.
 */
final class Batcher {
    private static final Logger LOG = Logger.getLogger(Batcher.class.getName());
    private final ShipperConfig config;
    private final String bootId;
    private final HostInfo host;
    private final Sampler sampler;
    private final Spool spool;
    private final Path seqFile;
    private long seq;
    private long startMs;

    Batcher(ShipperConfig config, String bootId, HostInfo host, Sampler sampler, Spool spool, long startMs)
            throws IOException {
        this.config = config;
        this.bootId = bootId;
        this.host = host;
        this.sampler = sampler;
        this.spool = spool;
        this.startMs = startMs;
        this.seqFile = spool.dir().resolve("seq-" + bootId);
        long s = 0;
        if (Files.exists(seqFile)) {
            try {
                s = Long.parseLong(Files.readString(seqFile, StandardCharsets.US_ASCII).strip());
            } catch (NumberFormatException e) {
                throw new IOException(seqFile + " is corrupt (" + e.getMessage() + "); remove it only if no batch "
                        + "of boot " + bootId + " was uploaded yet");
            }
        }
        this.seq = s;
    }

    long lastSeq() {
        return seq;
    }

    long startMs() {
        return startMs;
    }

    /** Cuts a batch ending now and spools it; returns its key. */
    synchronized String cut(long nowMs) throws IOException {
        List<UnitSeries> units = sampler.cut();
        long next = seq + 1;
        Spool.writeDurably(seqFile, Long.toString(next).getBytes(StandardCharsets.US_ASCII));
        seq = next;
        long end = Math.max(nowMs, startMs);
        Batch batch = new Batch(Batch.FORMAT, Batch.VERSION, config.hostId(), bootId, ShipperConfig.VERSION, seq,
                startMs, end, config.interval().toMillis(), host, spool.takeDropped(), units, sampler.cutHost());
        String key = BatchKey.of(config.prefix(), batch).key();
        byte[] bytes = BatchCodec.encode(batch);
        spool.add(key, bytes);
        startMs = end;
        LOG.fine(() -> "cut batch " + key + " with " + units.size() + " units, " + bytes.length + " bytes");
        return key;
    }
}

package io.taskmeter.shipper;

import io.taskmeter.core.io.DurableFile;
import io.taskmeter.core.batch.Batch;
import io.taskmeter.core.batch.BatchCodec;
import io.taskmeter.core.batch.BatchFormatException;
import io.taskmeter.core.batch.BatchKey;
import io.taskmeter.core.batch.HostInfo;
import io.taskmeter.core.batch.UnitSeries;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.logging.Logger;

/**
 * Cuts batches: every unit's samples since the previous cut, numbered per boot from 1. Each interval's samples are
 * journaled ({@link BatchJournal}) as they are taken, so a crash loses at most the interval being sampled; a
 * journal left by a crash is cut at the next start ({@link #recover}) under the number it was opened with. The
 * last number cut is persisted in the spool directory ({@code seq-<boot id>}) after the batch is spooled; on start
 * the sequence continues after the highest number the seq file, the spool or the last upload knows, so a number is
 * never reused within a boot. A batch with no units is still cut: it is the host's heartbeat.
 */
final class Batcher {
    private static final Logger LOG = Logger.getLogger(Batcher.class.getName());
    /** A batch never spans more than this, well inside the 24 h a reader accepts (core BatchValidator). */
    static final long MAX_SPAN_MS = 12L * 3600 * 1000;
    private final ShipperConfig config;
    private final String bootId;
    private final HostInfo host;
    private final Sampler sampler;
    private final Spool spool;
    private final LongSupplier clock;
    private final BatchJournal journal;
    private final Path seqFile;
    private long seq;
    private long startMs;

    Batcher(ShipperConfig config, String bootId, HostInfo host, Sampler sampler, Spool spool, LongSupplier clock)
            throws IOException {
        this.config = config;
        this.bootId = bootId;
        this.host = host;
        this.sampler = sampler;
        this.spool = spool;
        this.clock = clock;
        this.startMs = clock.getAsLong();
        this.seqFile = seqFile(spool, bootId);
        this.seq = lastSeq(spool, bootId);
        this.journal = new BatchJournal(spool.dir());
        journal.open(header());
    }

    private BatchJournal.Header header() {
        return new BatchJournal.Header(config.hostId(), bootId, seq + 1, startMs, config.interval().toMillis());
    }

    long lastSeq() {
        return seq;
    }

    long startMs() {
        return startMs;
    }

    /** Scans now and journals the interval's samples; returns the sample time. */
    synchronized long sample() throws IOException {
        // The clock is read under the lock, so samples taken from several threads stay in time order.
        long now = clock.getAsLong();
        if (now - startMs > MAX_SPAN_MS) {
            // The wall clock stepped far forward: end the open batch where its samples end and start the next at
            // the new time, so neither spans the step.
            LOG.warning("the clock jumped " + (now - startMs) / 1000 + " s ahead of the open batch's start: cutting it");
            cut(Math.max(journal.lastT(), startMs), now, true);
        }
        sampler.scan(now);
        // The sampler is cut every interval, not every batch: a unit's fields other than base and samples must
        // therefore be cumulative or latest values, as the batch takes them from the unit's latest interval.
        journal.append(now, sampler.cut());
        return now;
    }

    /**
     * Cuts the open batch, ending now, and spools it; returns its key.
     *
     * @param reopen open the next batch (false when stopping: nothing is sampled after this)
     */
    synchronized String cut(boolean reopen) throws IOException {
        long end = Math.max(Math.max(clock.getAsLong(), journal.lastT()), startMs);
        return cut(end, end, reopen);
    }

    private String cut(long end, long nextStart, boolean reopen) throws IOException {
        List<UnitSeries> units = journal.units();
        long next = seq + 1;
        Batch batch = new Batch(Batch.FORMAT, Batch.VERSION, config.hostId(), bootId, ShipperConfig.VERSION, next,
                startMs, end, config.interval().toMillis(), host, spool.takeDropped(), units,
                sampler.cutHost());
        String key = BatchKey.of(config.prefix(), batch).key();
        byte[] bytes = BatchCodec.encode(batch);
        spool.add(key, bytes);
        DurableFile.write(seqFile, Long.toString(next).getBytes(StandardCharsets.US_ASCII));
        seq = next;
        startMs = nextStart;
        journal.discard();
        if (reopen) {
            journal.open(header());
        }
        LOG.fine(() -> "cut batch " + key + " with " + units.size() + " units, " + bytes.length + " bytes");
        return key;
    }

    /** Stops journaling without a final cut: the open batch is recovered at the next start. */
    synchronized void abandon() throws IOException {
        journal.close();
    }

    /**
     * Cuts every journal a previous run left (of this boot or an earlier one) into the batch it was opened as, unless
     * that batch was cut already; returns the keys spooled.
     */
    static List<String> recover(HostInfo host, String prefix, Spool spool) throws IOException {
        List<String> keys = new java.util.ArrayList<>();
        for (BatchJournal.Recovered r : BatchJournal.recover(spool.dir(), true)) {
            BatchJournal.Header h = r.header();
            long last = lastSeq(spool, h.bootId());
            if (h.seq() <= last) {
                LOG.info("journal " + r.file().getFileName() + ": batch " + h.seq() + " was cut before the stop");
                Files.deleteIfExists(r.file());
                continue;
            }
            Batch batch = new Batch(Batch.FORMAT, Batch.VERSION, h.hostId(), h.bootId(), ShipperConfig.VERSION,
                    h.seq(), h.startMs(), r.endMs(), h.intervalMs(), host, spool.takeDropped(), r.units());
            String key = BatchKey.of(prefix, batch).key();
            spool.add(key, BatchCodec.encode(batch));
            DurableFile.write(seqFile(spool, h.bootId()),
                    Long.toString(Math.max(last, h.seq())).getBytes(StandardCharsets.US_ASCII));
            Files.deleteIfExists(r.file());
            keys.add(key);
            LOG.info("recovered batch " + key + " from the journal of the previous run: " + r.records()
                    + " intervals, " + r.units().size() + " units" + (r.torn() ? ", a torn last record ignored" : ""));
        }
        return keys;
    }

    private static Path seqFile(Spool spool, String bootId) {
        return spool.dir().resolve("seq-" + bootId);
    }

    /** The highest sequence number of this boot that was cut: in the seq file, the spool, or the last upload. */
    static long lastSeq(Spool spool, String bootId) throws IOException {
        Path f = seqFile(spool, bootId);
        long s = 0;
        if (Files.exists(f)) {
            try {
                s = Long.parseLong(Files.readString(f, StandardCharsets.US_ASCII).strip());
            } catch (NumberFormatException e) {
                throw new IOException(f + " is corrupt (" + e.getMessage() + "); remove it only if no batch "
                        + "of boot " + bootId + " was uploaded yet");
            }
        }
        for (Spool.Entry e : spool.entries()) {
            s = Math.max(s, seqOf(e.key(), bootId));
        }
        String uploaded = spool.state().lastUploadKey();
        return uploaded == null ? s : Math.max(s, seqOf(uploaded, bootId));
    }

    private static long seqOf(String key, String bootId) {
        try {
            BatchKey k = BatchKey.parse(key);
            return k.bootId().equals(bootId) ? k.seq() : 0;
        } catch (BatchFormatException e) {
            return 0;
        }
    }
}

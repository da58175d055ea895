package io.taskmeter.shipper;

import io.taskmeter.core.batch.HostInfo;
import io.taskmeter.core.identity.CommandLineRedactor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The host agent: samples every interval, cuts a batch every batch interval, spools it, uploads it. Sampling never
 * waits for the network. Typical use:
 * <pre>
 * try (Shipper s = Shipper.start(config, key -&gt; deliver(key))) { ...; s.flush(); }
 * </pre>
 */
public final class Shipper implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Shipper.class.getName());

    private final ShipperConfig config;
    private final Sampler sampler;
    private final Spool spool;
    private final BatchSink sink;
    private final Batcher batcher;
    private final Uploader uploader;
    private final String bootId;
    private final ScheduledExecutorService sampling =
            Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "taskmeter-sampler"));
    private boolean closed;

    private Shipper(ShipperConfig config, BatchSink sink, LongSupplier wallClock) throws IOException {
        this.config = config;
        // Sample times follow the wall clock's steps forward but never go back (see MonotonicClock).
        LongSupplier clock = new MonotonicClock(wallClock, System::nanoTime);
        ProcReader proc = new ProcReader();
        TaskDetector detector = new TaskDetector(proc, new EnvironReader(proc.root()),
                new CommandLineRedactor(config.extraRedactPatterns()), clock.getAsLong());
        this.bootId = readBootId(config.bootIdFile());
        this.sampler = new Sampler(proc, detector);
        this.spool = new Spool(config.spoolDir(), config.maxSpoolBytes(), config.maxSpoolAge().toMillis());
        this.sink = sink;
        HostInfo host = hostInfo(config);
        Batcher.recover(host, config.prefix(), spool);
        this.batcher = new Batcher(config, bootId, host, sampler, spool, clock);
        this.uploader = new Uploader(spool, sink);
    }

    /** The kernel's boot id (or a test's): batches are numbered per boot, and keyed by it. */
    static String readBootId(Path file) throws IOException {
        String id = Files.readString(file, StandardCharsets.US_ASCII).strip();
        if (!id.matches("[0-9A-Za-z-]{1,64}")) {
            throw new IOException(file + " does not hold a boot id: '" + id + "'");
        }
        return id;
    }

    static HostInfo hostInfo(ShipperConfig config) {
        // From /proc and /sys directly: OSHI (and JNA with it) is not loaded by the shipper, which keeps it small.
        ProcReader proc = new ProcReader();
        return new HostInfo(proc.cpus(), proc.memoryBytes(), config.instanceType(),
                config.instanceType() == null ? "unknown" : "config", ProcReader.os());
    }

    /** Starts sampling and uploading to the configured sink; whatever is already spooled is uploaded first. */
    public static Shipper start(ShipperConfig config) throws IOException {
        return start(config, config.openSink(), null);
    }

    /** As {@link #start(ShipperConfig)}; {@code onUploaded} hears each key the sink confirmed, in order. */
    public static Shipper start(ShipperConfig config, Consumer<String> onUploaded) throws IOException {
        return start(config, config.openSink(), onUploaded);
    }

    /** With a sink of the caller's own (tests, or a sink that is neither S3 nor a directory). */
    public static Shipper start(ShipperConfig config, BatchSink sink, Consumer<String> onUploaded)
            throws IOException {
        return start(config, sink, onUploaded, System::currentTimeMillis);
    }

    /** With a wall clock of the caller's own (tests of clock steps). */
    static Shipper start(ShipperConfig config, BatchSink sink, Consumer<String> onUploaded, LongSupplier wallClock)
            throws IOException {
        Shipper s = new Shipper(config, sink, wallClock);
        if (onUploaded != null) {
            s.onUploaded(onUploaded);
        }
        long interval = config.interval().toMillis();
        s.sampling.scheduleAtFixedRate(s::tick, 0, interval, TimeUnit.MILLISECONDS);
        s.uploader.start();
        LOG.info("shipper " + ShipperConfig.VERSION + " on host " + config.hostId() + " (boot " + s.bootId
                + ") sampling every " + interval + " ms, a batch every " + config.batchEvery().toMillis()
                + " ms to " + sink.describe() + ", spool " + config.spoolDir());
        return s;
    }

    /** Adds a listener called with each key after the sink confirmed it (the local mode delivers the S3 event). */
    public Shipper onUploaded(Consumer<String> listener) {
        uploader.addListener(listener);
        return this;
    }

    private void tick() {
        try {
            long now = batcher.sample();
            if (!config.once() && now - batcher.startMs() >= config.batchEvery().toMillis()) {
                batcher.cut(true);
                uploader.kick();
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "sampling failed; trying again at the next interval", e);
        }
    }

    /** Takes a sample now, outside the schedule (safe from any thread; serialised with the sampling loop). */
    public void sampleNow() {
        try {
            batcher.sample();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot journal the sample in " + spool.dir(), e);
        }
    }

    /** Samples, cuts a batch and uploads everything spooled, now; returns when done, throws when the sink fails. */
    public void flush() throws IOException {
        batcher.sample();
        batcher.cut(true);
        uploader.drain();
    }

    /**
     * Spools an object other than a batch (an orchestrator metadata document) under the sink's prefix; it is
     * uploaded with the batches, with their retries, and survives a restart the same way.
     */
    public void ship(String key, byte[] bytes) throws IOException {
        spool.add(config.prefix() + key, bytes);
        uploader.kick();
    }

    /** The boot id batches are keyed by. */
    public String bootId() {
        return bootId;
    }

    /** The sequence number of the last batch cut in this boot (0 before the first). */
    public long lastSeq() {
        return batcher.lastSeq();
    }

    public Path spoolDir() {
        return spool.dir();
    }

    public String status() throws IOException {
        return "spool: " + spool.entries().size() + " batches in " + spool.dir() + "; last upload: "
                + uploader.lastUploaded() + "; last sequence number: " + batcher.lastSeq() + "; units: "
                + sampler.liveUnits();
    }

    /** Final sample, final batch, upload of everything spooled (what fails stays spooled), threads stopped. */
    @Override
    public void close() {
        stop(true);
    }

    /**
     * Stops sampling and uploading.
     *
     * @param finalBatch take a last sample, cut and upload a final batch first; without, the open batch stays
     *                   journaled and is cut at the next start
     * @return whether everything spooled was uploaded
     */
    public synchronized boolean stop(boolean finalBatch) {
        if (closed) {
            return true;
        }
        closed = true;
        boolean uploaded = true;
        sampling.shutdown();
        try {
            sampling.awaitTermination(10, TimeUnit.SECONDS);
            if (finalBatch) {
                batcher.sample();
                batcher.cut(false);
            } else {
                batcher.abandon();
            }
            uploader.close();
            uploader.drain();
        } catch (IOException | RuntimeException e) {
            uploaded = false;
            LOG.warning("final upload failed (" + e.getMessage() + "); batches kept in " + spool.dir()
                    + " and sent at the next start");
        } catch (InterruptedException e) {
            uploaded = false;
            Thread.currentThread().interrupt();
        } finally {
            sink.close();
        }
        return uploaded;
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}

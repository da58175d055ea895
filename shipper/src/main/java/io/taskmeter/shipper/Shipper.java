package io.taskmeter.shipper;

import io.taskmeter.core.batch.Batch;
import io.taskmeter.core.batch.BatchCodec;
import io.taskmeter.core.batch.BatchKey;
import io.taskmeter.core.batch.HostInfo;
import io.taskmeter.core.batch.UnitSeries;
import io.taskmeter.core.identity.CommandLineRedactor;
import oshi.SystemInfo;
import oshi.software.os.linux.LinuxOperatingSystem;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The host agent: samples every interval, cuts a batch every batch interval, spools it, uploads it. Sampling
 * never waits for the network; uploads retry with exponential backoff and jitter and keep their order.
 */
public final class Shipper implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Shipper.class.getName());

    private final ShipperConfig config;
    private final Sampler sampler;
    private final Spool spool;
    private final BatchSink sink;
    private final HostInfo host;
    private final Consumer<String> onUploaded;
    private final ScheduledExecutorService sampling = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "taskmeter-sampler"));
    private final ScheduledExecutorService uploading = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "taskmeter-uploader"));
    private final Path seqFile;
    private long seq;
    private long batchStartMs;
    private long backoffMs;
    private volatile String lastUpload = "never";

    private Shipper(ShipperConfig config, Consumer<String> onUploaded) throws IOException {
        this.config = config;
        this.onUploaded = onUploaded;
        ProcReader proc = new ProcReader();
        long now = System.currentTimeMillis();
        this.sampler = new Sampler(proc, new CommandLineRedactor(config.redactPatterns()),
                LinuxOperatingSystem.getHz(), LinuxOperatingSystem.getPageSize(), now);
        this.spool = new Spool(config.spoolDir(), config.maxSpoolBytes());
        this.sink = config.openSink();
        SystemInfo si = new SystemInfo();
        this.host = new HostInfo(si.getHardware().getProcessor().getLogicalProcessorCount(),
                si.getHardware().getMemory().getTotal(), config.instanceType(),
                config.instanceType() == null ? "unknown" : "config", si.getOperatingSystem().toString());
        this.seqFile = spool.dir().resolve("seq-" + sampler.bootId());
        this.seq = Files.exists(seqFile) ? Long.parseLong(Files.readString(seqFile).strip()) : 0;
        this.batchStartMs = now;
    }

    /** Starts sampling and uploading; {@code onUploaded} hears each key S3 (or the directory) confirmed. */
    public static Shipper start(ShipperConfig config, Consumer<String> onUploaded) throws IOException {
        Shipper s = new Shipper(config, onUploaded);
        long interval = config.interval().toMillis();
        s.sampling.scheduleAtFixedRate(s::tick, 0, interval, TimeUnit.MILLISECONDS);
        s.uploading.schedule(s::uploadLoop, 0, TimeUnit.MILLISECONDS);
        LOG.info(() -> "shipper " + ShipperConfig.VERSION + " on host " + config.hostId() + " sampling every "
                + interval + "ms, batch every " + config.batchEvery().toSeconds() + "s to " + s.sink.describe());
        return s;
    }

    private void tick() {
        try {
            long now = System.currentTimeMillis();
            sampler.scan(now);
            if (now - batchStartMs >= config.batchEvery().toMillis()) {
                cut(now);
            }
        } catch (RuntimeException | IOException e) {
            LOG.log(Level.WARNING, "sampling failed; retrying at the next interval", e);
        }
    }

    /** Takes a sample now, outside the schedule: the local mode calls it when a task's root is about to exit. */
    public void sampleNow() {
        try {
            sampling.submit(() -> sampler.scan(System.currentTimeMillis())).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("sampling failed", e.getCause());
        }
    }

    private synchronized void cut(long now) throws IOException {
        List<UnitSeries> units = new ArrayList<>();
        for (UnitTracker u : sampler.live()) {
            units.add(series(u));
        }
        for (UnitTracker u : sampler.drainEnded()) {
            units.add(series(u));
        }
        seq++;
        Files.writeString(seqFile.resolveSibling(seqFile.getFileName() + ".tmp"), Long.toString(seq), StandardCharsets.US_ASCII);
        FileSink.move(seqFile.resolveSibling(seqFile.getFileName() + ".tmp"), seqFile);
        Batch batch = new Batch(Batch.FORMAT, Batch.VERSION, config.hostId(), sampler.bootId(), ShipperConfig.VERSION,
                seq, batchStartMs, now, config.interval().toMillis(), host, spool.takeDropped(), units);
        String key = BatchKey.of(config.prefix(), batch).key();
        spool.add(key, seq, BatchCodec.encode(batch));
        batchStartMs = now;
    }

    private static UnitSeries series(UnitTracker u) {
        UnitTracker.Cut c = u.cut();
        return new UnitSeries(u.unitId, u.rootPid, u.rootStartTicks, u.startedMs, u.endedMs, u.recognition.kind(),
                u.recognition.how(), u.recognition.tags(), u.command, c.base(), c.samples(), u.partial);
    }

    private void uploadLoop() {
        long delay = config.interval().toMillis();
        try {
            uploadAll();
            backoffMs = 0;
        } catch (IOException | RuntimeException e) {
            backoffMs = Math.min(60_000, backoffMs == 0 ? 500 : backoffMs * 2);
            delay = backoffMs / 2 + ThreadLocalRandom.current().nextLong(backoffMs / 2 + 1);
            LOG.warning("upload to " + sink.describe() + " failed (" + e.getMessage() + "); batches stay in "
                    + spool.dir() + ", next try in " + delay + "ms");
        }
        if (!uploading.isShutdown()) {
            uploading.schedule(this::uploadLoop, delay, TimeUnit.MILLISECONDS);
        }
    }

    private synchronized void uploadAll() throws IOException {
        for (Spool.Entry e : spool.entries()) {
            sink.put(e.key(), Files.readAllBytes(e.file()));
            Files.deleteIfExists(e.file());
            lastUpload = e.key();
            onUploaded.accept(e.key());
        }
    }

    /** Samples, cuts a batch and uploads everything spooled, now; throws when the sink fails. */
    public void flush() throws IOException {
        sampleNow();
        synchronized (this) {
            cut(System.currentTimeMillis());
            uploadAll();
        }
    }

    public String status() throws IOException {
        return "spool: " + spool.entries().size() + " batches in " + spool.dir() + "; last upload: " + lastUpload
                + "; sequence: " + seq;
    }

    @Override
    public void close() {
        sampling.shutdown();
        try {
            sampling.awaitTermination(5, TimeUnit.SECONDS);
            synchronized (this) {
                sampler.scan(System.currentTimeMillis());
                cut(System.currentTimeMillis());
            }
            uploadAll();
        } catch (IOException | RuntimeException e) {
            LOG.warning("final upload failed (" + e.getMessage() + "); batches kept in " + spool.dir()
                    + " and sent at the next start");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            uploading.shutdownNow();
            sink.close();
        }
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}

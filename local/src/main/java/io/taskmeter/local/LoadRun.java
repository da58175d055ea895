package io.taskmeter.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.taskmeter.aws.AwsUsageMeter;
import io.taskmeter.aws.LambdaEvents;
import io.taskmeter.core.batch.Batch;
import io.taskmeter.core.batch.BatchCodec;
import io.taskmeter.core.batch.BatchKey;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Simulated hosts send their batches at their real rate through the local pipeline, as AWS would run it: each
 * batch is put to S3, ingest takes them from the queue in SQS-sized events, attribute follows the usage table's
 * stream. For every batch it records when its last sample was taken, when it was in S3, ingested, and attributed
 * to its attempts (from then on the insights job sees it); at the end the job runs once and the API's attempt
 * documents are checked against the CPU the hosts generated.
 */
final class LoadRun {
    record Settings(int hosts, int unitsPerHost, long intervalMs, long batchMs, long durationMs, int ingestBatchSize,
                    int attributeBatchSize, int ingestWorkers, int verify, long seed) {
    }

    /** One batch on its way. */
    private static final class Track {
        final long lastSampleMs;
        final AtomicInteger unitsLeft;
        volatile long storedMs;
        volatile long ingestedMs;

        Track(long lastSampleMs, int units) {
            this.lastSampleMs = lastSampleMs;
            this.unitsLeft = new AtomicInteger(units);
        }
    }

    record Result(Settings settings, long batches, long units, long ingestedBatches, long attributedBatches,
                  long ingestInvocations, long attributeInvocations, double ingestSeconds, double attributeSeconds,
                  long ingestBilledMs, long attributeBilledMs, long failures, long[] uploadLagMs,
                  long[] ingestLagMs, long[] attributeLagMs, long s3Bytes, long logBytes, long logLines,
                  double insightsJobSeconds, int attemptsChecked, int attemptsMatching, List<String> mismatches,
                  double elapsedSeconds, AwsUsageMeter.Snapshot usage,
                  AwsUsageMeter.Snapshot withJob) {
    }

    private final Settings settings;
    private final Path dataDir;
    private final Consumer<String> progress;
    private final Map<String, Track> tracks = new ConcurrentHashMap<>();
    private final Map<String, Double> truth = new ConcurrentHashMap<>();
    private final LinkedBlockingQueue<String> queue = new LinkedBlockingQueue<>();
    private final List<Long> uploadLag = java.util.Collections.synchronizedList(new ArrayList<>());
    private final List<Long> ingestLag = java.util.Collections.synchronizedList(new ArrayList<>());
    private final List<Long> attributeLag = java.util.Collections.synchronizedList(new ArrayList<>());
    private final AtomicLong batches = new AtomicLong();
    private final AtomicLong units = new AtomicLong();
    private final AtomicLong ingested = new AtomicLong();
    private final AtomicLong attributed = new AtomicLong();
    private final AtomicLong ingestInvocations = new AtomicLong();
    private final AtomicLong attributeInvocations = new AtomicLong();
    private final AtomicLong ingestNanos = new AtomicLong();
    private final AtomicLong attributeNanos = new AtomicLong();
    private final AtomicLong ingestBilledMs = new AtomicLong();
    private final AtomicLong attributeBilledMs = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong s3Bytes = new AtomicLong();
    private volatile boolean producing = true;

    LoadRun(Settings settings, Path dataDir, Consumer<String> progress) {
        this.settings = settings;
        this.dataDir = dataDir;
        this.progress = progress;
    }

    Result run() throws Exception {
        AwsUsageMeter meter = new AwsUsageMeter();
        LogVolume logs = LogVolume.install();
        long t0 = System.currentTimeMillis();
        try (LocalPipeline pipeline = new LocalPipeline(dataDir, 600, meter)) {
            List<Thread> workers = new ArrayList<>();
            for (int i = 0; i < settings.ingestWorkers(); i++) {
                workers.add(start("taskmeter-load-ingest-" + i, () -> ingestLoop(pipeline)));
            }
            workers.add(start("taskmeter-load-attribute", () -> attributeLoop(pipeline)));
            long start = System.currentTimeMillis();
            Thread reporter = start("taskmeter-load-progress", () -> report(start));
            produce(pipeline, start);
            producing = false;
            progress.accept("all batches sent; waiting for the pipeline to finish them");
            long deadline = System.currentTimeMillis() + Math.max(120_000, settings.durationMs());
            while (attributed.get() < batches.get() && System.currentTimeMillis() < deadline) {
                Thread.sleep(200);
            }
            long elapsed = System.currentTimeMillis() - start;
            for (Thread t : workers) {
                t.interrupt();
                t.join(10_000);
            }
            reporter.interrupt();
            logs.stop();
            AwsUsageMeter.Snapshot usage = meter.snapshot();
            progress.accept("running the insights job once, then checking the API against the generated CPU");
            long j0 = System.nanoTime();
            pipeline.runInsights();
            double jobSeconds = (System.nanoTime() - j0) / 1e9;
            AwsUsageMeter.Snapshot withJob = meter.snapshot();
            List<String> mismatches = new ArrayList<>();
            int[] checked = verify(pipeline, mismatches);
            return new Result(settings, batches.get(), units.get(), ingested.get(), attributed.get(),
                    ingestInvocations.get(), attributeInvocations.get(), ingestNanos.get() / 1e9,
                    attributeNanos.get() / 1e9, ingestBilledMs.get(), attributeBilledMs.get(), failures.get(),
                    sorted(uploadLag), sorted(ingestLag), sorted(attributeLag), s3Bytes.get(), logs.bytes(),
                    logs.lines(), jobSeconds, checked[0], checked[1], mismatches, elapsed / 1000.0, usage, withJob);
        } finally {
            logs.stop();
        }
    }

    /** Every host's batches at the wall-clock time their last sample is taken, hosts spread over the interval. */
    private void produce(LocalPipeline pipeline, long start) throws InterruptedException {
        PriorityQueue<SimulatedHost> due = new PriorityQueue<>(java.util.Comparator.comparingLong(SimulatedHost::nextEndMs));
        for (int h = 0; h < settings.hosts(); h++) {
            long phase = settings.batchMs() * h / settings.hosts();
            due.add(new SimulatedHost(h, settings.unitsPerHost(), settings.intervalMs(), settings.batchMs(),
                    start + phase - settings.batchMs() + settings.intervalMs(), settings.seed(), truth));
        }
        long end = start + settings.durationMs();
        while (!due.isEmpty() && due.peek().nextEndMs() <= end) {
            SimulatedHost host = due.poll();
            long wait = host.nextEndMs() - System.currentTimeMillis();
            if (wait > 0) {
                Thread.sleep(wait);
            }
            Batch batch = host.nextBatch();
            byte[] gz = BatchCodec.encode(batch);
            String key = BatchKey.of("", batch).key();
            Track track = new Track(batch.endMs(), batch.units().size());
            tracks.put(batch.batchId(), track);
            pipeline.put(key, gz);
            track.storedMs = System.currentTimeMillis();
            uploadLag.add(track.storedMs - track.lastSampleMs);
            s3Bytes.addAndGet(gz.length);
            batches.incrementAndGet();
            units.addAndGet(batch.units().size());
            queue.add(key);
            due.add(host);
        }
    }

    private void ingestLoop(LocalPipeline pipeline) {
        try {
            while (true) {
                String first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                List<String> keys = new ArrayList<>(List.of(first));
                queue.drainTo(keys, settings.ingestBatchSize() - 1);
                long n0 = System.nanoTime();
                List<String> failed;
                try {
                    failed = pipeline.ingest(keys);
                } catch (IOException | RuntimeException e) {
                    if (stopping(e)) {
                        return;
                    }
                    failed = List.of("all");
                    reportFailure("ingest", e);
                }
                long nanos = System.nanoTime() - n0;
                ingestInvocations.incrementAndGet();
                ingestNanos.addAndGet(nanos);
                ingestBilledMs.addAndGet((nanos + 999_999) / 1_000_000);
                if (!failed.isEmpty()) {
                    // SQS would redeliver; ingest is idempotent, so the whole event goes again.
                    failures.incrementAndGet();
                    if (!failed.equals(List.of("all"))) {
                        reportFailure("ingest", new IllegalStateException("items reported failed: " + failed));
                    }
                    queue.addAll(keys);
                    continue;
                }
                long now = System.currentTimeMillis();
                for (String key : keys) {
                    Track t = tracks.get(batchId(key));
                    if (t != null && t.ingestedMs == 0) {
                        t.ingestedMs = now;
                        ingestLag.add(now - t.lastSampleMs);
                        ingested.incrementAndGet();
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The run interrupts its workers when it is over; an SDK call under way then ends in AbortedException. That is
     * the end of the loop, not a failed invocation (it was counted as one, and failed LoadRunTest now and then).
     */
    private static boolean stopping(Exception e) {
        return Thread.currentThread().isInterrupted()
                || e instanceof software.amazon.awssdk.core.exception.AbortedException;
    }

    /** The first few failed invocations are logged with their cause (the rest only counted): Lambda would retry them. */
    private void reportFailure(String function, Exception e) {
        if (failures.get() <= 5) {
            java.util.logging.Logger.getLogger(LoadRun.class.getName()).log(java.util.logging.Level.WARNING,
                    function + " invocation failed and goes again: " + e, e);
        }
    }

    private void attributeLoop(LocalPipeline pipeline) {
        try {
            while (!Thread.currentThread().isInterrupted()) {
                int handed;
                try {
                    handed = pipeline.attributeStream(settings.attributeBatchSize(), this::attributed);
                } catch (IOException | RuntimeException e) {
                    if (stopping(e)) {
                        return;
                    }
                    failures.incrementAndGet();
                    reportFailure("attribute", e);
                    handed = 0;
                }
                if (handed == 0) {
                    Thread.sleep(100);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void attributed(List<LambdaEvents.StreamKey> keys, List<String> failed, long nanos) {
        attributeInvocations.incrementAndGet();
        attributeNanos.addAndGet(nanos);
        attributeBilledMs.addAndGet((nanos + 999_999) / 1_000_000);
        failures.addAndGet(failed.size());
        long now = System.currentTimeMillis();
        for (LambdaEvents.StreamKey k : keys) {
            if (!k.pk().startsWith("U#") || !k.sk().startsWith("B#") || failed.contains(k.sequenceNumber())) {
                continue;
            }
            Track t = tracks.get(k.sk().substring(2));
            if (t != null && t.unitsLeft.decrementAndGet() == 0) {
                attributeLag.add(now - t.lastSampleMs);
                attributed.incrementAndGet();
            }
        }
    }

    /** The batch id a key names: host/boot/seq, as {@link Batch#batchId()} gives it. */
    private static String batchId(String key) {
        try {
            BatchKey k = BatchKey.parse(key);
            return k.hostId() + "/" + k.bootId() + "/" + k.seq();
        } catch (io.taskmeter.core.batch.BatchFormatException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Compares each attempt's CPU-seconds in the API with what its host generated: {checked, matching}. */
    private int[] verify(LocalPipeline pipeline, List<String> mismatches) throws IOException {
        ObjectMapper json = BatchCodec.json();
        List<String> ids = new ArrayList<>(truth.keySet());
        java.util.Collections.sort(ids);
        java.util.Collections.shuffle(ids, new java.util.Random(settings.seed()));
        int n = settings.verify() < 0 ? ids.size() : Math.min(settings.verify(), ids.size());
        int ok = 0;
        for (String id : ids.subList(0, n)) {
            JsonNode doc = json.readTree(pipeline.get("/v1/attempts/" + URLEncoder.encode(id, StandardCharsets.UTF_8)));
            double got = doc.path("usage").path("cpu_seconds").asDouble(Double.NaN);
            double want = truth.get(id);
            if (Math.abs(got - want) <= 1e-6 * Math.max(1, want)) {
                ok++;
            } else if (mismatches.size() < 10) {
                mismatches.add(id + ": API " + got + " cpu-s, generated " + want);
            }
        }
        return new int[] {n, ok};
    }

    private void report(long start) {
        try {
            while (true) {
                Thread.sleep(10_000);
                long[] lags = sorted(attributeLag);
                progress.accept(String.format("%4ds: %d batches sent (%d units), %d ingested, %d attributed, "
                                + "queue %d, lag p50 %.1f s p99 %.1f s", (System.currentTimeMillis() - start) / 1000,
                        batches.get(), units.get(), ingested.get(), attributed.get(), queue.size(),
                        percentile(lags, 50) / 1000.0, percentile(lags, 99) / 1000.0));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static long percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    private static long[] sorted(List<Long> values) {
        long[] out;
        synchronized (values) {
            out = values.stream().mapToLong(Long::longValue).toArray();
        }
        Arrays.sort(out);
        return out;
    }

    private static Thread start(String name, Runnable r) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
        return t;
    }
}

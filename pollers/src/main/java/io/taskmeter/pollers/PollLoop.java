package io.taskmeter.pollers;

import io.taskmeter.core.metadata.MetadataCodec;
import io.taskmeter.core.metadata.MetadataDocument;
import io.taskmeter.core.metadata.MetadataRecord;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Polls one orchestrator again and again: fetch, follow up the records that were active last time and are no longer
 * listed (a retried try, an end stamped before the window), keep the records whose canonical content changed
 * since they were last sent, hand them on in documents of at most N records, then remember what was sent. The state is saved only
 * after the consumer took every document, so a crash between the two sends a record twice (ingest is idempotent)
 * but never loses one. Any failure (auth, timeout, 5xx, refused connection, a consumer that throws) is logged in
 * one line and retried with backoff and jitter; the loop never dies of one.
 */
public final class PollLoop implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(PollLoop.class.getName());

    private final Poller poller;
    private final PollerConfig config;
    private final Consumer<MetadataDocument> out;
    private final LongSupplier clock;
    private final Object wake = new Object();
    private PollState state;
    private volatile Thread thread;
    private volatile boolean running;
    private volatile int failures;
    private String lastFailure;

    public PollLoop(PollerConfig config, Consumer<MetadataDocument> out) {
        this(config.poller(), config, out, System::currentTimeMillis);
    }

    PollLoop(Poller poller, PollerConfig config, Consumer<MetadataDocument> out, LongSupplier clock) {
        this.poller = poller;
        this.config = config;
        this.out = out;
        this.clock = clock;
        this.state = PollState.load(config.stateFile());
    }

    /**
     * One poll, now, on the caller's thread.
     *
     * @return how many records were sent (changed or new)
     * @throws IOException the poll failed and nothing was remembered: the next poll tries the same again
     */
    public synchronized int pollOnce() throws IOException {
        long now = clock.getAsLong();
        long since = state.cursorMs() == null ? now - config.lookback().toMillis()
                : state.cursorMs() - config.overlap().toMillis();
        Map<String, MetadataRecord> latest = new LinkedHashMap<>();
        for (MetadataRecord r : poller.fetch(since)) {
            latest.put(r.key(), r); // pages that shifted under the poll may repeat a record
        }
        List<MetadataRecord> active = latest.values().stream().filter(r -> r.endMs() == null)
                .map(PollLoop::identity).toList();
        List<MetadataRecord> vanished = state.active().stream().filter(r -> !latest.containsKey(r.key())).toList();
        if (!vanished.isEmpty()) {
            for (MetadataRecord r : poller.refetch(vanished)) {
                latest.putIfAbsent(r.key(), r);
            }
        }
        Map<String, String> hashes = new LinkedHashMap<>();
        List<MetadataRecord> changed = new ArrayList<>();
        Long cursor = state.cursorMs();
        for (MetadataRecord r : latest.values()) {
            String hash = hash(MetadataCodec.canonical(r));
            hashes.put(r.key(), hash);
            if (!hash.equals(state.emitted().get(r.key()))) {
                changed.add(r);
            }
            // Capped at our own clock: one worker with a clock far ahead must not move the window past the rest.
            if (r.endMs() != null && r.endMs() <= now && (cursor == null || r.endMs() > cursor)) {
                cursor = r.endMs();
            }
        }
        int max = config.maxRecordsPerDocument();
        for (int from = 0; from < changed.size(); from += max) {
            out.accept(MetadataDocument.of(poller.source(), poller.instance(), now,
                    changed.subList(from, Math.min(changed.size(), from + max))));
        }
        PollState next = new PollState(cursor, hashes, active);
        next.save(config.stateFile());
        state = next;
        return changed.size();
    }

    /** Polls on a daemon thread every interval until closed. */
    public synchronized PollLoop start() {
        if (thread == null) {
            running = true;
            thread = new Thread(this::loop, "taskmeter-poller-" + poller.source() + "-" + poller.instance());
            thread.setDaemon(true);
            thread.start();
            LOG.info(poller.source() + " poller for " + config.url() + " started: every "
                    + config.interval().toMillis() + " ms, state in " + config.stateFile() + ", "
                    + config.credentials());
        }
        return this;
    }

    private void loop() {
        while (running) {
            long waitMs;
            try {
                int sent = pollOnce();
                if (failures > 0) {
                    LOG.info(poller.source() + " " + poller.instance() + ": polling works again after " + failures
                            + " failed attempts");
                }
                failures = 0;
                lastFailure = null;
                LOG.fine(() -> poller.source() + " " + poller.instance() + ": sent " + sent + " records");
                waitMs = config.interval().toMillis();
            } catch (IOException | RuntimeException e) {
                failures++;
                waitMs = config.backoff().delayMs(failures);
                logFailure(e, waitMs);
            }
            synchronized (wake) {
                long deadline = System.currentTimeMillis() + waitMs;
                try {
                    for (long left = waitMs; running && left > 0; left = deadline - System.currentTimeMillis()) {
                        wake.wait(left);
                    }
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    /** One line per kind of failure; the same failure again is logged quietly until something changes. */
    private void logFailure(Exception e, long waitMs) {
        String kind = e instanceof PollFailure f ? f.kind().name() : e.getClass().getSimpleName();
        String what = kind + ": " + e.getMessage();
        String advice = e instanceof PollFailure f && f.kind() == PollFailure.Kind.AUTH
                ? " (check the " + poller.source() + " credentials: " + config.credentials() + ")" : "";
        String line = poller.source() + " poll of " + config.url() + " failed (" + what + ")" + advice
                + "; attempt " + failures + ", next in " + waitMs + " ms";
        LOG.log(what.equals(lastFailure) ? Level.FINE : Level.WARNING, line);
        lastFailure = what;
    }

    /** The number of polls that failed in a row (0 after a success). */
    public int failures() {
        return failures;
    }

    @Override
    public void close() {
        running = false;
        synchronized (wake) {
            wake.notifyAll();
        }
        Thread t = thread;
        if (t != null) {
            try {
                t.join(config.timeout().toMillis() * 2 + 1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** What a follow-up needs to find a record again (and its key): the state file stays small. */
    private static MetadataRecord identity(MetadataRecord r) {
        return MetadataRecord.builder(r.type(), r.source(), r.api()).id(r.id()).dagOrFlow(r.dagOrFlow())
                .run(r.run()).task(r.task()).mapIndex(r.mapIndex()).tryNumber(r.tryNumber()).build();
    }

    private static String hash(String canonical) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(canonical.getBytes(StandardCharsets.UTF_8)), 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

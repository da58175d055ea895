package io.taskmeter.shipper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Uploads spooled batches in order, on its own thread, so sampling never waits for the network. A batch leaves the
 * spool only after the sink confirmed it. Failures are retried with exponential backoff (the cap doubles from 0.5 s
 * to 60 s) and jitter (each wait drawn between half the cap and the cap, so hosts that lost S3 together do not
 * retry together); the batch that failed is retried first, so order is kept.
 */
final class Uploader implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Uploader.class.getName());
    static final long MAX_BACKOFF_MS = 60_000;

    private final Spool spool;
    private final BatchSink sink;
    private final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();
    private final Object wake = new Object();
    private final Thread thread;
    private volatile boolean running = true;
    private boolean kicked = true;

    Uploader(Spool spool, BatchSink sink) {
        this.spool = spool;
        this.sink = sink;
        this.thread = new Thread(this::loop, "taskmeter-uploader");
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    void addListener(Consumer<String> listener) {
        listeners.add(listener);
    }

    String lastUploaded() {
        String k = spool.state().lastUploadKey();
        return k == null ? "never" : k;
    }

    /** A batch was spooled: upload soon. */
    void kick() {
        synchronized (wake) {
            kicked = true;
            wake.notifyAll();
        }
    }

    private void loop() {
        long cap = 0; // backoff cap after failures; 0 while uploads succeed
        long waitMs = 0;
        while (running) {
            try {
                synchronized (wake) {
                    long deadline = System.currentTimeMillis() + waitMs;
                    // While backing off, new batches do not shorten the wait; otherwise they end it.
                    while (running && (cap > 0 || !kicked)) {
                        long left = deadline - System.currentTimeMillis();
                        if (left <= 0) {
                            break;
                        }
                        wake.wait(left);
                    }
                    kicked = false;
                }
                if (!running) {
                    return;
                }
                drain();
                cap = 0;
                waitMs = 5_000;
            } catch (InterruptedException e) {
                return;
            } catch (IOException | RuntimeException e) {
                cap = nextCap(cap);
                waitMs = jittered(cap);
                LOG.warning("upload to " + sink.describe() + " failed (" + e.getMessage() + "); batches stay in "
                        + spool.dir() + ", next try in " + waitMs + " ms");
            }
        }
    }

    /** The backoff cap after one more failure: 0.5 s, doubling, at most {@link #MAX_BACKOFF_MS}. */
    static long nextCap(long cap) {
        return cap == 0 ? 500 : Math.min(MAX_BACKOFF_MS, cap * 2);
    }

    /** A wait between half the cap and the cap. */
    static long jittered(long cap) {
        return cap / 2 + ThreadLocalRandom.current().nextLong(cap / 2 + 1);
    }

    /** Uploads everything spooled, oldest first; returns when done, throws at the first failure. */
    synchronized void drain() throws IOException {
        for (Spool.Entry e : spool.entries()) {
            byte[] bytes;
            try {
                bytes = Files.readAllBytes(e.file());
            } catch (NoSuchFileException gone) {
                continue; // dropped by the spool bound meanwhile
            }
            sink.put(e.key(), bytes);
            // Recorded before the batch leaves the spool: a restart in between still knows its number was used.
            spool.state().uploaded(e.key(), System.currentTimeMillis());
            spool.remove(e);
            LOG.fine(() -> "uploaded " + e.key());
            for (Consumer<String> l : listeners) {
                try {
                    l.accept(e.key());
                } catch (RuntimeException ex) {
                    LOG.log(Level.WARNING, "upload listener failed for " + e.key(), ex);
                }
            }
        }
    }

    @Override
    public void close() {
        running = false;
        kick();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

package io.taskmeter.shipper;

import io.taskmeter.core.io.DurableFile;
import java.io.IOException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * Batches on disk until the sink confirms them: each written to a temporary file, fsynced and renamed, so a crash
 * leaves the whole batch or nothing. The file name is the batch's key (URL-encoded) after an order stamp, so the
 * spool alone is enough to upload in order after a restart. Bounded in size and in age: beyond either bound the
 * oldest batches are dropped and counted (durably, in {@link ShipperState}), and the count goes into the next batch.
 */
public final class Spool {
    private static final Logger LOG = Logger.getLogger(Spool.class.getName());
    static final String SUFFIX = ".json.gz";
    private final Path dir;
    private final long maxBytes;
    private final long maxAgeMs;
    private final ShipperState state;
    private long lastOrder;

    /** Reading only: {@link #entries()}, {@link #bytes()}. */
    public Spool(Path dir, long maxBytes) throws IOException {
        this(dir, maxBytes, Long.MAX_VALUE);
    }

    public Spool(Path dir, long maxBytes, long maxAgeMs) throws IOException {
        this.dir = Files.createDirectories(dir);
        this.maxBytes = maxBytes;
        this.maxAgeMs = maxAgeMs;
        this.state = ShipperState.load(this.dir);
        try (Stream<Path> files = Files.list(this.dir)) {
            for (Path p : files.filter(f -> f.getFileName().toString().endsWith(".tmp")).toList()) {
                Files.deleteIfExists(p); // a write interrupted by a crash
            }
        }
        for (Entry e : entries()) {
            lastOrder = Math.max(lastOrder, e.order());
        }
    }

    /** A spooled batch: its file, its key in the sink, and its place in the upload order. */
    public record Entry(Path file, String key, long order) {
        /** When it was spooled, epoch milliseconds of the wall clock. */
        public long addedMs() {
            return order / 1000;
        }
    }

    synchronized void add(String key, byte[] bytes) throws IOException {
        long nowMs = System.currentTimeMillis();
        long order = Math.max(nowMs * 1000, lastOrder + 1);
        lastOrder = order;
        DurableFile.write(dir.resolve(String.format("%019d", order) + "~" + URLEncoder.encode(key, StandardCharsets.UTF_8)
                + SUFFIX), bytes);
        List<Entry> all = entries();
        long total = 0;
        for (Entry e : all) {
            total += size(e.file());
        }
        long dropped = 0;
        // The newest batch always stays: it carries the count of the ones dropped before it.
        for (int i = 0; i < all.size() - 1; i++) {
            Entry e = all.get(i);
            boolean tooOld = nowMs - e.addedMs() > maxAgeMs;
            if (total <= maxBytes && !tooOld) {
                break;
            }
            total -= size(e.file());
            if (Files.deleteIfExists(e.file())) {
                dropped++;
                LOG.warning("spool " + (tooOld ? "holds batches older than " + maxAgeMs / 1000 + " s"
                        : "over " + maxBytes + " bytes") + ": dropped the oldest batch " + e.key());
            }
        }
        if (dropped > 0) {
            state.dropped(dropped);
        }
    }

    /** Oldest first. */
    public synchronized List<Entry> entries() throws IOException {
        return list(dir);
    }

    /** The batches spooled in {@code dir}, oldest first, without touching anything there. */
    static List<Entry> list(Path dir) throws IOException {
        List<Entry> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.filter(f -> f.getFileName().toString().endsWith(SUFFIX)).toList()) {
                String name = p.getFileName().toString();
                int sep = name.indexOf('~');
                if (sep < 0) {
                    continue;
                }
                try {
                    out.add(new Entry(p, URLDecoder.decode(name.substring(sep + 1, name.length() - SUFFIX.length()),
                            StandardCharsets.UTF_8), Long.parseLong(name.substring(0, sep))));
                } catch (IllegalArgumentException e) {
                    LOG.warning("ignoring " + p + ": not a spooled batch");
                }
            }
        }
        out.sort(Comparator.comparingLong(Entry::order));
        return out;
    }

    /** Batches dropped since the last call, for the next batch to report. */
    synchronized long takeDropped() throws IOException {
        return state.takeUnreported();
    }

    ShipperState state() {
        return state;
    }

    /** Bytes of these spooled batches. */
    static long bytes(List<Entry> entries) {
        long total = 0;
        for (Entry e : entries) {
            total += size(e.file());
        }
        return total;
    }

    /** Whether a batch with this key waits here. */
    boolean holds(String key) throws IOException {
        for (Entry e : entries()) {
            if (e.key().equals(key)) {
                return true;
            }
        }
        return false;
    }

    /** Called once the sink confirmed the batch. */
    synchronized void remove(Entry e) throws IOException {
        Files.deleteIfExists(e.file());
    }

    public Path dir() {
        return dir;
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (NoSuchFileException e) {
            return 0;
        } catch (IOException e) {
            return 0;
        }
    }
}

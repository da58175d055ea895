package io.taskmeter.shipper;

import java.io.IOException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Batches on disk until the sink confirms them: written with write, fsync, rename, so a crash leaves either the
 * whole batch or nothing. Bounded: when full, the oldest batches go, and the count is reported, never hidden.
 */
final class Spool {
    private static final String SUFFIX = ".batch";
    private final Path dir;
    private final long maxBytes;
    private long dropped;

    Spool(Path dir, long maxBytes) throws IOException {
        this.dir = Files.createDirectories(dir);
        this.maxBytes = maxBytes;
    }

    record Entry(Path file, String key, long order) {
    }

    synchronized void add(String key, long order, byte[] bytes) throws IOException {
        writeDurably(dir.resolve(String.format("%020d", order) + "~" + URLEncoder.encode(key, StandardCharsets.UTF_8)
                + SUFFIX), bytes);
        List<Entry> all = entries();
        long total = 0;
        for (Entry e : all) {
            total += Files.size(e.file());
        }
        for (int i = 0; i < all.size() - 1 && total > maxBytes; i++) {
            total -= Files.size(all.get(i).file());
            Files.deleteIfExists(all.get(i).file());
            dropped++;
        }
    }

    /** Oldest first. */
    synchronized List<Entry> entries() throws IOException {
        List<Entry> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.filter(f -> f.getFileName().toString().endsWith(SUFFIX)).toList()) {
                String name = p.getFileName().toString();
                int sep = name.indexOf('~');
                out.add(new Entry(p, URLDecoder.decode(name.substring(sep + 1, name.length() - SUFFIX.length()),
                        StandardCharsets.UTF_8), Long.parseLong(name.substring(0, sep))));
            }
        }
        out.sort(Comparator.comparingLong(Entry::order));
        return out;
    }

    /** Batches dropped since the last call, for the next batch to report. */
    synchronized long takeDropped() {
        long d = dropped;
        dropped = 0;
        return d;
    }

    Path dir() {
        return dir;
    }

    static void writeDurably(Path target, byte[] bytes) throws IOException {
        Files.createDirectories(target.getParent());
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        Files.write(tmp, bytes);
        FileSink.fsync(tmp);
        FileSink.move(tmp, target);
    }
}

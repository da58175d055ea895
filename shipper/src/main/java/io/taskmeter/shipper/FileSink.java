package io.taskmeter.shipper;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/** Writes each batch to {@code dir/<key>}, durably (write, fsync, rename). */
public final class FileSink implements BatchSink {
    private final Path dir;

    public FileSink(Path dir) {
        this.dir = dir;
    }

    @Override
    public void put(String key, byte[] gzippedBatch) throws IOException {
        Path target = dir.resolve(key).normalize();
        if (!target.startsWith(dir.normalize())) {
            throw new IOException("key " + key + " escapes " + dir);
        }
        Spool.writeDurably(target, gzippedBatch);
    }

    @Override
    public String describe() {
        return "file://" + dir;
    }

    static void fsync(Path p) throws IOException {
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
    }

    static void move(Path from, Path to) throws IOException {
        Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}

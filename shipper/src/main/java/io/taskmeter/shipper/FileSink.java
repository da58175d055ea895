package io.taskmeter.shipper;

import io.taskmeter.core.io.DurableFile;
import java.io.IOException;
import java.nio.file.Path;

/** Writes each batch to {@code dir/<key>} (the key as a relative path), durably: write, fsync, rename. */
public final class FileSink implements BatchSink {
    private final Path dir;

    public FileSink(Path dir) {
        this.dir = dir.toAbsolutePath().normalize();
    }

    @Override
    public void put(String key, byte[] gzippedBatch) throws IOException {
        Path target = dir.resolve(key).normalize();
        if (!target.startsWith(dir) || target.equals(dir)) {
            throw new IOException("key " + key + " escapes " + dir);
        }
        DurableFile.write(target, gzippedBatch);
    }

    @Override
    public String describe() {
        return "file://" + dir;
    }
}

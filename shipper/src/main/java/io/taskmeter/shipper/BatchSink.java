package io.taskmeter.shipper;

import java.io.IOException;

/** Where batches go: S3 in production, a directory on air-gapped hosts and in tests. */
public interface BatchSink extends AutoCloseable {
    /** Stores the batch under its key; returns only once the store has confirmed it. */
    void put(String key, byte[] gzippedBatch) throws IOException;

    String describe();

    @Override
    default void close() {
    }
}

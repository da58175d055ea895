package io.taskmeter.testkit;

import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobStore;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * S3Proxy as a real S3-compatible HTTP server on 127.0.0.1 (path-style, no authentication). It emulates no
 * bucket notifications: callers deliver the S3 event themselves, as the local mode does.
 */
public final class EmbeddedS3 implements AutoCloseable {
    private final S3Proxy proxy;

    private EmbeddedS3(S3Proxy proxy) {
        this.proxy = proxy;
    }

    public static EmbeddedS3 inMemory() {
        return start(new TransientNio2BlobStore());
    }

    /** Objects are files under {@code dir}/bucket/key, and survive a restart. */
    public static EmbeddedS3 persistent(Path dir) {
        try {
            return start(new FilesystemNio2BlobStore(Files.createDirectories(dir).toString()));
        } catch (IOException e) {
            throw new IllegalStateException("cannot create the S3 data directory " + dir + ": " + e.getMessage(), e);
        }
    }

    private static EmbeddedS3 start(BlobStore store) {
        int port = FreePort.pick();
        S3Proxy proxy = S3Proxy.builder()
                .blobStore(store)
                .endpoint(URI.create("http://127.0.0.1:" + port))
                .awsAuthentication(AuthenticationType.NONE, null, null)
                .build();
        try {
            proxy.start();
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (!"STARTED".equals(proxy.getState())) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("state " + proxy.getState());
                }
                Thread.sleep(10);
            }
        } catch (Exception e) {
            throw new IllegalStateException("S3Proxy did not start on 127.0.0.1:" + port + ": " + e, e);
        }
        return new EmbeddedS3(proxy);
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + proxy.getPort());
    }

    @Override
    public void close() {
        try {
            proxy.stop();
        } catch (Exception e) {
            throw new IllegalStateException("S3Proxy did not stop cleanly", e);
        }
    }
}

package io.taskmeter.shipper;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Everything the shipper is told. Built by {@link Main} from flags, environment and defaults, or directly by
 * the local mode.
 *
 * @param sink          {@code s3://bucket/prefix} or {@code file:///dir}
 * @param s3Endpoint    an S3-compatible endpoint instead of AWS (path-style), or null
 * @param instanceType  EC2 instance type when the host cannot tell, or null
 */
public record ShipperConfig(Duration interval, Duration batchEvery, URI sink, URI s3Endpoint, String region,
                            String hostId, Path spoolDir, long maxSpoolBytes, String instanceType,
                            List<String> redactPatterns) {

    public static final String VERSION = "0.1.0";

    public ShipperConfig {
        if (interval.toMillis() < 50) {
            throw new IllegalArgumentException("interval must be at least 50ms, was " + interval.toMillis() + "ms");
        }
        if (batchEvery.compareTo(interval) < 0) {
            throw new IllegalArgumentException("batch interval must not be shorter than the sampling interval");
        }
        if (!"s3".equals(sink.getScheme()) && !"file".equals(sink.getScheme())) {
            throw new IllegalArgumentException("sink must be s3://bucket/prefix or file:///dir, was " + sink);
        }
        if (hostId == null || !hostId.matches("[A-Za-z0-9._-]{1,128}")) {
            throw new IllegalArgumentException("host id must be 1-128 of [A-Za-z0-9._-], was '" + hostId + "'");
        }
        redactPatterns = List.copyOf(redactPatterns);
    }

    /** The key prefix within the bucket, "" or ending in '/'. */
    String prefix() {
        if (!"s3".equals(sink.getScheme())) {
            return "";
        }
        String p = sink.getPath() == null ? "" : sink.getPath().replaceFirst("^/", "");
        return p.isEmpty() || p.endsWith("/") ? p : p + "/";
    }

    BatchSink openSink() {
        if ("file".equals(sink.getScheme())) {
            return new FileSink(Path.of(sink));
        }
        return new S3Sink(sink.getHost(), region, s3Endpoint);
    }

    static String defaultHostId() {
        String h = System.getenv("HOSTNAME");
        if (h == null || h.isBlank()) {
            try {
                h = java.net.InetAddress.getLocalHost().getHostName();
            } catch (java.net.UnknownHostException e) {
                h = "unknown-host";
            }
        }
        String id = h.replaceAll("[^A-Za-z0-9._-]", "-");
        return id.length() > 128 ? id.substring(0, 128) : id;
    }
}

package io.taskmeter.shipper;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything the shipper is told. Built by {@link Main} from flags, environment and defaults, or directly by the
 * local mode (the 10-argument constructor or {@link #builder()}).
 *
 * @param interval            sampling interval (default 1 s, at least 50 ms)
 * @param batchEvery          a batch is cut this often (default 60 s); also the heartbeat period
 * @param sink                {@code s3://bucket/prefix} or {@code file:///dir}
 * @param s3Endpoint          an S3-compatible endpoint instead of AWS (path-style), or null
 * @param region              AWS region of the bucket
 * @param hostId              this host's id, [A-Za-z0-9._-]{1,128}
 * @param spoolDir            where batches wait until the sink confirms them
 * @param maxSpoolBytes       spool bound; the oldest batches are dropped (and counted) beyond it
 * @param instanceType        EC2 instance type when the host cannot tell, or null
 * @param extraRedactPatterns regular expressions redacted from command lines, besides the built-in ones
 * @param once                sample for one batch interval, upload one batch, stop
 * @param maxSpoolAge         spool bound in age; older batches are dropped (and counted) like those beyond the size
 * @param bootIdFile          where the boot id is read (the kernel's, unless a test or a container says otherwise)
 */
public record ShipperConfig(Duration interval, Duration batchEvery, URI sink, URI s3Endpoint, String region,
                            String hostId, Path spoolDir, long maxSpoolBytes, String instanceType,
                            List<String> extraRedactPatterns, boolean once, Duration maxSpoolAge, Path bootIdFile) {

    public static final String VERSION = "0.1.0";
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(1);
    public static final Duration DEFAULT_BATCH = Duration.ofSeconds(60);
    public static final long DEFAULT_MAX_SPOOL_BYTES = 256L << 20;
    public static final Duration DEFAULT_MAX_SPOOL_AGE = Duration.ofDays(7);
    public static final Path DEFAULT_BOOT_ID_FILE = Path.of("/proc/sys/kernel/random/boot_id");

    public ShipperConfig {
        if (interval == null || interval.toMillis() < 50) {
            throw new IllegalArgumentException("interval must be at least 50ms, was "
                    + (interval == null ? null : interval.toMillis() + "ms"));
        }
        if (batchEvery == null || batchEvery.compareTo(interval) < 0) {
            throw new IllegalArgumentException("batch interval must not be shorter than the sampling interval");
        }
        if (sink == null || (!"s3".equals(sink.getScheme()) && !"file".equals(sink.getScheme()))) {
            throw new IllegalArgumentException("sink must be s3://bucket/prefix or file:///dir, was " + sink);
        }
        if ("s3".equals(sink.getScheme()) && (sink.getHost() == null || sink.getHost().isBlank())) {
            throw new IllegalArgumentException("sink " + sink + " names no bucket: use s3://bucket/prefix");
        }
        if (hostId == null || !hostId.matches("[A-Za-z0-9._-]{1,128}")) {
            throw new IllegalArgumentException("host id must be 1-128 of [A-Za-z0-9._-], was '" + hostId + "'");
        }
        if (spoolDir == null) {
            throw new IllegalArgumentException("spool directory missing");
        }
        if (maxSpoolBytes <= 0) {
            throw new IllegalArgumentException("spool bound must be positive, was " + maxSpoolBytes);
        }
        if (maxSpoolAge == null) {
            maxSpoolAge = DEFAULT_MAX_SPOOL_AGE;
        }
        if (maxSpoolAge.compareTo(batchEvery) < 0) {
            throw new IllegalArgumentException("spool age bound must not be shorter than the batch interval, was "
                    + maxSpoolAge.toSeconds() + "s");
        }
        if (bootIdFile == null) {
            bootIdFile = DEFAULT_BOOT_ID_FILE;
        }
        if (region == null || region.isBlank()) {
            region = "us-east-1";
        }
        extraRedactPatterns = List.copyOf(extraRedactPatterns == null ? List.of() : extraRedactPatterns);
        for (String p : extraRedactPatterns) {
            try {
                java.util.regex.Pattern.compile(p);
            } catch (java.util.regex.PatternSyntaxException e) {
                throw new IllegalArgumentException("redact pattern '" + p + "' is not a regular expression: "
                        + e.getDescription());
            }
        }
    }

    /** Without {@code once}: runs until closed. */
    public ShipperConfig(Duration interval, Duration batchEvery, URI sink, URI s3Endpoint, String region,
                         String hostId, Path spoolDir, long maxSpoolBytes, String instanceType,
                         List<String> extraRedactPatterns) {
        this(interval, batchEvery, sink, s3Endpoint, region, hostId, spoolDir, maxSpoolBytes, instanceType,
                extraRedactPatterns, false);
    }

    /** With the default age bound and boot id source. */
    public ShipperConfig(Duration interval, Duration batchEvery, URI sink, URI s3Endpoint, String region,
                         String hostId, Path spoolDir, long maxSpoolBytes, String instanceType,
                         List<String> extraRedactPatterns, boolean once) {
        this(interval, batchEvery, sink, s3Endpoint, region, hostId, spoolDir, maxSpoolBytes, instanceType,
                extraRedactPatterns, once, DEFAULT_MAX_SPOOL_AGE, DEFAULT_BOOT_ID_FILE);
    }

    public long batchSeconds() {
        return batchEvery.toSeconds();
    }

    /** The key prefix within the bucket, "" or ending in '/'. */
    public String prefix() {
        if (!"s3".equals(sink.getScheme())) {
            return "";
        }
        String p = sink.getPath() == null ? "" : sink.getPath().replaceFirst("^/+", "");
        return p.isEmpty() || p.endsWith("/") ? p : p + "/";
    }

    BatchSink openSink() {
        if ("file".equals(sink.getScheme())) {
            return new FileSink(Path.of(sink));
        }
        return new S3Sink(sink.getHost(), region, s3Endpoint);
    }

    /** The hostname, sanitised to [A-Za-z0-9._-]. */
    public static String defaultHostId() {
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

    /** /var/lib/taskmeter/spool as root, else ~/.taskmeter/spool. */
    public static Path defaultSpoolDir() {
        return "root".equals(System.getProperty("user.name")) ? Path.of("/var/lib/taskmeter/spool")
                : Path.of(System.getProperty("user.home"), ".taskmeter", "spool");
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Defaults as documented in {@code --help}; {@link #sink(URI)} is the only required setting. */
    public static final class Builder {
        private Duration interval = DEFAULT_INTERVAL;
        private Duration batchEvery = DEFAULT_BATCH;
        private URI sink;
        private URI s3Endpoint;
        private String region = "us-east-1";
        private String hostId;
        private Path spoolDir;
        private long maxSpoolBytes = DEFAULT_MAX_SPOOL_BYTES;
        private String instanceType;
        private final List<String> redact = new ArrayList<>();
        private boolean once;
        private Duration maxSpoolAge = DEFAULT_MAX_SPOOL_AGE;
        private Path bootIdFile = DEFAULT_BOOT_ID_FILE;

        public Builder interval(Duration v) { interval = v; return this; }
        public Builder batchEvery(Duration v) { batchEvery = v; return this; }
        public Builder batchSeconds(long v) { batchEvery = Duration.ofSeconds(v); return this; }
        public Builder sink(URI v) { sink = v; return this; }
        public Builder sink(String v) { sink = URI.create(v); return this; }
        public Builder s3Endpoint(URI v) { s3Endpoint = v; return this; }
        public Builder region(String v) { region = v; return this; }
        public Builder hostId(String v) { hostId = v; return this; }
        public Builder spoolDir(Path v) { spoolDir = v; return this; }
        public Builder maxSpoolBytes(long v) { maxSpoolBytes = v; return this; }
        public Builder instanceType(String v) { instanceType = v; return this; }
        public Builder redact(String regex) { redact.add(regex); return this; }
        public Builder once(boolean v) { once = v; return this; }
        public Builder maxSpoolAge(Duration v) { maxSpoolAge = v; return this; }
        public Builder bootIdFile(Path v) { bootIdFile = v; return this; }

        public ShipperConfig build() {
            return new ShipperConfig(interval, batchEvery, sink, s3Endpoint, region,
                    hostId == null ? defaultHostId() : hostId, spoolDir == null ? defaultSpoolDir() : spoolDir,
                    maxSpoolBytes, instanceType, redact, once, maxSpoolAge, bootIdFile);
        }
    }
}

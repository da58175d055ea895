package io.taskmeter.pollers;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;

/**
 * One orchestrator to poll and how.
 *
 * @param kind          {@code airflow} or {@code prefect}
 * @param url           Airflow: the webserver/API server root (or its {@code /api/v1}, {@code /api/v2}); Prefect:
 *                      a self-hosted server (its root or {@code /api}) or a Cloud workspace API URL
 *                      ({@code https://api.prefect.cloud/api/accounts/<a>/workspaces/<w>})
 * @param instance      the orchestrator's name in documents; the URL's host[:port] by default
 * @param interval      time between polls
 * @param timeout       connect and response timeout of each request
 * @param overlap       how far before the newest end time seen the next poll looks again: records the
 *                      orchestrator commits late, or stamps with a lagging worker clock, are still found
 * @param lookback      how far back the first poll (no state yet) looks for ended records
 * @param pageSize      limit per request
 * @param maxRecordsPerDocument at most this many records in one document
 * @param stateFile     where the cursor and what was emitted are kept across restarts
 */
public record PollerConfig(String kind, URI url, String instance, Credentials credentials, Duration interval,
                           Duration timeout, Duration overlap, Duration lookback, int pageSize,
                           int maxRecordsPerDocument, Backoff backoff, Path stateFile) {
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(30);
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_OVERLAP = Duration.ofMinutes(10);
    public static final Duration DEFAULT_LOOKBACK = Duration.ofHours(1);
    public static final int DEFAULT_PAGE_SIZE = 100;
    public static final int DEFAULT_MAX_RECORDS = 500;

    public PollerConfig {
        if (!"airflow".equals(kind) && !"prefect".equals(kind)) {
            throw new IllegalArgumentException("orchestrator must be airflow or prefect, was '" + kind + "'");
        }
        if (url == null || url.getHost() == null
                || !("http".equals(url.getScheme()) || "https".equals(url.getScheme()))) {
            throw new IllegalArgumentException(kind + " URL must be http(s)://host[:port][/path], was " + url);
        }
        if (url.getUserInfo() != null) {
            throw new IllegalArgumentException(kind + " URL must not carry credentials: use the credential "
                    + "options or environment variables");
        }
        if (pageSize < 1 || maxRecordsPerDocument < 1) {
            throw new IllegalArgumentException("page size and records per document must be at least 1");
        }
        if (interval.isNegative() || interval.isZero() || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("poll interval and timeout must be positive");
        }
        credentials = credentials == null ? Credentials.NONE : credentials;
        instance = instance == null || instance.isBlank() ? hostOf(url) : instance;
    }

    /** Defaults for everything but what names the orchestrator. */
    public static PollerConfig of(String kind, URI url, Credentials credentials, Path stateDir) {
        return new PollerConfig(kind, url, null, credentials, DEFAULT_INTERVAL, DEFAULT_TIMEOUT, DEFAULT_OVERLAP,
                DEFAULT_LOOKBACK, DEFAULT_PAGE_SIZE, DEFAULT_MAX_RECORDS, Backoff.DEFAULT,
                stateDir.resolve(stateFileName(kind, url)));
    }

    /** {@code airflow=URL} or {@code prefect=URL}, as the shipper's {@code --orchestrator} takes it. */
    public static PollerConfig parse(String spec, Credentials credentials, Path stateDir) {
        int eq = spec.indexOf('=');
        if (eq < 0) {
            throw new IllegalArgumentException("--orchestrator '" + spec + "' is not airflow=URL or prefect=URL");
        }
        String kind = spec.substring(0, eq).strip().toLowerCase(Locale.ROOT);
        try {
            return of(kind, new URI(spec.substring(eq + 1).strip()), credentials, stateDir);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("--orchestrator " + kind + " URL is not a URI: " + e.getReason());
        }
    }

    public PollerConfig withInterval(Duration v) {
        return new PollerConfig(kind, url, instance, credentials, v, timeout, overlap, lookback, pageSize,
                maxRecordsPerDocument, backoff, stateFile);
    }

    public PollerConfig withTimeout(Duration v) {
        return new PollerConfig(kind, url, instance, credentials, interval, v, overlap, lookback, pageSize,
                maxRecordsPerDocument, backoff, stateFile);
    }

    public PollerConfig withPaging(int pageSize, int maxRecordsPerDocument) {
        return new PollerConfig(kind, url, instance, credentials, interval, timeout, overlap, lookback, pageSize,
                maxRecordsPerDocument, backoff, stateFile);
    }

    /** @param overlap see the record; @param lookback see the record */
    public PollerConfig withWindow(Duration overlap, Duration lookback) {
        return new PollerConfig(kind, url, instance, credentials, interval, timeout, overlap, lookback, pageSize,
                maxRecordsPerDocument, backoff, stateFile);
    }

    public PollerConfig withBackoff(Backoff v) {
        return new PollerConfig(kind, url, instance, credentials, interval, timeout, overlap, lookback, pageSize,
                maxRecordsPerDocument, v, stateFile);
    }

    public PollerConfig withCredentials(Credentials v) {
        return new PollerConfig(kind, url, instance, v, interval, timeout, overlap, lookback, pageSize,
                maxRecordsPerDocument, backoff, stateFile);
    }

    /** The poller for this configuration. */
    public Poller poller() {
        return "airflow".equals(kind) ? new AirflowPoller(this) : new PrefectPoller(this);
    }

    /** URL without a trailing slash, for joining paths. */
    String base() {
        String s = url.toString();
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }

    private static String hostOf(URI url) {
        return url.getPort() < 0 ? url.getHost() : url.getHost() + ":" + url.getPort();
    }

    /** One state file per orchestrator URL: two pollers must never share a cursor. */
    static String stateFileName(String kind, URI url) {
        String hash;
        try {
            hash = HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(url.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8)), 0, 6);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        return kind + "-" + hostOf(url).replaceAll("[^A-Za-z0-9._-]", "-") + "-" + hash + ".state.json";
    }
}

package io.taskmeter.core.batch;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a batch lives in S3: {@code <prefix>batches/v1/dt=YYYY-MM-DD/host=<host id>/<boot id>-<seq>.json.gz}.
 * Hive-style so Athena can query raw batches; the key alone names the batch, so a duplicate upload overwrites.
 */
public record BatchKey(String prefix, String date, String hostId, String bootId, long seq) {

    public static final String ROOT = "batches/v1/";
    private static final Pattern KEY = Pattern.compile(
            "^(.*?)batches/v1/dt=(\\d{4}-\\d{2}-\\d{2})/host=([^/]+)/([0-9A-Za-z-]+)-(\\d+)\\.json\\.gz$");
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyy-MM-dd").withZone(ZoneOffset.UTC);

    public static BatchKey of(String prefix, Batch batch) {
        return new BatchKey(prefix, DAY.format(Instant.ofEpochMilli(batch.startMs())), batch.hostId(),
                batch.bootId(), batch.seq());
    }

    public static BatchKey parse(String key) throws BatchFormatException {
        Matcher m = KEY.matcher(key);
        if (!m.matches()) {
            throw new BatchFormatException("key '" + key + "' is not of the form "
                    + "batches/v1/dt=YYYY-MM-DD/host=<host id>/<boot id>-<seq>.json.gz");
        }
        return new BatchKey(m.group(1), m.group(2), m.group(3), m.group(4), Long.parseLong(m.group(5)));
    }

    public String key() {
        return prefix + ROOT + "dt=" + date + "/host=" + hostId + "/" + bootId + "-" + seq + ".json.gz";
    }

    /** The batch must say what its key says: a key is how duplicates are recognised. */
    public void check(Batch batch) throws BatchFormatException {
        if (!hostId.equals(batch.hostId()) || !bootId.equals(batch.bootId()) || seq != batch.seq()) {
            throw new BatchFormatException("key names host " + hostId + " boot " + bootId + " seq " + seq
                    + " but the batch says host " + batch.hostId() + " boot " + batch.bootId() + " seq " + batch.seq());
        }
    }
}

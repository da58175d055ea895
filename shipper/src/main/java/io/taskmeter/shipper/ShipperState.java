package io.taskmeter.shipper;

import io.taskmeter.core.io.DurableFile;
import com.fasterxml.jackson.databind.JsonNode;
import io.taskmeter.core.batch.BatchCodec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.logging.Logger;

/**
 * What must outlive the process beside the spool itself, in {@code state.json} of the spool directory: the last
 * confirmed upload (for {@code status}, and so a restart knows which journaled batch was already uploaded) and the
 * dropped-batch counts (so a drop is reported in the next batch even across a crash). Written durably on every
 * change; changes are rare (one upload or drop per batch interval).
 */
final class ShipperState {
    private static final Logger LOG = Logger.getLogger(ShipperState.class.getName());
    static final String FILE = "state.json";

    private final Path file;
    private long lastUploadMs;
    private String lastUploadKey;
    private long droppedTotal;
    private long droppedUnreported;

    private ShipperState(Path file) {
        this.file = file;
    }

    static ShipperState load(Path spoolDir) {
        ShipperState s = new ShipperState(spoolDir.resolve(FILE));
        if (Files.exists(s.file)) {
            try {
                JsonNode n = BatchCodec.json().readTree(Files.readAllBytes(s.file));
                s.lastUploadMs = n.path("last_upload_ms").asLong(0);
                s.lastUploadKey = n.path("last_upload_key").isTextual() ? n.path("last_upload_key").asText() : null;
                s.droppedTotal = n.path("dropped_total").asLong(0);
                s.droppedUnreported = n.path("dropped_unreported").asLong(0);
            } catch (IOException e) {
                // Only bookkeeping is lost: the spool and the sequence files carry the data.
                LOG.warning(s.file + " is unreadable (" + e.getMessage() + "); starting it afresh");
            }
        }
        return s;
    }

    synchronized void uploaded(String key, long atMs) throws IOException {
        lastUploadKey = key;
        lastUploadMs = atMs;
        save();
    }

    synchronized void dropped(long n) throws IOException {
        droppedTotal += n;
        droppedUnreported += n;
        save();
    }

    /** Drops not yet reported in a batch; the caller puts them in the batch it is cutting. */
    synchronized long takeUnreported() throws IOException {
        long d = droppedUnreported;
        if (d != 0) {
            droppedUnreported = 0;
            save();
        }
        return d;
    }

    synchronized long lastUploadMs() {
        return lastUploadMs;
    }

    synchronized String lastUploadKey() {
        return lastUploadKey;
    }

    synchronized long droppedTotal() {
        return droppedTotal;
    }

    synchronized long droppedUnreported() {
        return droppedUnreported;
    }

    private void save() throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("last_upload_ms", lastUploadMs);
        m.put("last_upload_key", lastUploadKey);
        m.put("dropped_total", droppedTotal);
        m.put("dropped_unreported", droppedUnreported);
        DurableFile.write(file, BatchCodec.json().writeValueAsBytes(m));
    }
}

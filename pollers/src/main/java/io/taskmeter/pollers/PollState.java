package io.taskmeter.pollers;

import io.taskmeter.core.io.DurableFile;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.taskmeter.core.metadata.MetadataCodec;
import io.taskmeter.core.metadata.MetadataRecord;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * What a poller remembers across restarts: the newest end time it saw (the orchestrator's clock) and, for each
 * record the last poll returned, a hash of its canonical content. With both, a restarted poller neither looks
 * at too little (the cursor) nor sends again what it already sent (the hashes); the records that were active
 * let it notice one that ended out of sight.
 *
 * @param cursorMs newest end time seen, or null before any ended record was seen
 * @param emitted  record key to content hash, of the records the last poll returned
 * @param active   the records the last poll found active (not ended)
 */
record PollState(Long cursorMs, Map<String, String> emitted, List<MetadataRecord> active) {
    private static final Logger LOG = Logger.getLogger(PollState.class.getName());
    static final PollState EMPTY = new PollState(null, Map.of(), List.of());

    PollState {
        emitted = Map.copyOf(emitted);
        active = List.copyOf(active);
    }

    /** The state in {@code file}; empty when there is none or it is unreadable (said in the log, then rebuilt). */
    static PollState load(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return EMPTY;
        } catch (IOException e) {
            LOG.warning("cannot read poller state " + file + " (" + e.getMessage() + "); starting afresh");
            return EMPTY;
        }
        try {
            JsonNode tree = HttpJson.JSON.readTree(bytes);
            JsonNode cursor = tree.get("cursor_ms");
            Map<String, String> emitted = new HashMap<>();
            tree.path("emitted").fields().forEachRemaining(e -> emitted.put(e.getKey(), e.getValue().asText()));
            List<MetadataRecord> active = new ArrayList<>();
            for (JsonNode r : tree.path("active")) {
                active.add(MetadataCodec.json().treeToValue(r, MetadataRecord.class));
            }
            return new PollState(cursor != null && cursor.canConvertToLong() ? cursor.longValue() : null, emitted,
                    active);
        } catch (IOException | RuntimeException e) {
            LOG.warning("poller state " + file + " is damaged (" + e.getMessage() + "); starting afresh: records "
                    + "in the look-back window are sent again, which ingest absorbs");
            return EMPTY;
        }
    }

    /** Written whole or not at all: temporary file, fsync, atomic rename. */
    void save(Path file) throws IOException {
        ObjectNode tree = HttpJson.JSON.createObjectNode();
        if (cursorMs != null) {
            tree.put("cursor_ms", cursorMs);
        }
        ObjectNode map = tree.putObject("emitted");
        emitted.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> map.put(e.getKey(), e.getValue()));
        tree.set("active", MetadataCodec.json().valueToTree(active));
        byte[] bytes = HttpJson.JSON.writeValueAsString(tree).getBytes(StandardCharsets.UTF_8);
        DurableFile.write(file, bytes);
    }
}

package io.taskmeter.shipper;

import io.taskmeter.core.batch.BatchCodec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code taskmeter-shipper status}: what waits in the spool directory, read from the files alone, so it works
 * whether the shipper runs or not and never disturbs it.
 */
record StatusReport(Path spoolDir, int batches, long bytes, Long oldestAgeSeconds, Long lastUploadMs,
                    String lastUploadKey, long droppedTotal, long droppedUnreported, List<Journal> journals) {

    /** An open batch's journal: the running shipper's, or one a crash left for the next start. */
    record Journal(String bootId, long seq, long startMs, int intervals, long bytes, boolean torn) {
    }

    static StatusReport read(Path spoolDir, long nowMs) throws IOException {
        if (!Files.isDirectory(spoolDir)) {
            return new StatusReport(spoolDir, 0, 0, null, null, null, 0, 0, List.of());
        }
        List<Spool.Entry> entries = Spool.list(spoolDir);
        Long oldest = entries.isEmpty() ? null : Math.max(0, (nowMs - entries.get(0).addedMs()) / 1000);
        ShipperState st = ShipperState.load(spoolDir);
        List<Journal> journals = new ArrayList<>();
        for (BatchJournal.Recovered r : BatchJournal.recover(spoolDir)) {
            journals.add(new Journal(r.header().bootId(), r.header().seq(), r.header().startMs(), r.records(),
                    Files.size(r.file()), r.torn()));
        }
        return new StatusReport(spoolDir, entries.size(), Spool.bytes(entries), oldest,
                st.lastUploadMs() == 0 ? null : st.lastUploadMs(), st.lastUploadKey(), st.droppedTotal(),
                st.droppedUnreported(), journals);
    }

    String text() {
        StringBuilder b = new StringBuilder();
        b.append("spool: ").append(batches).append(" batches, ").append(bytes).append(" bytes");
        b.append(oldestAgeSeconds == null ? "" : ", oldest " + oldestAgeSeconds + " s old").append(" (")
                .append(spoolDir).append(")\n");
        b.append("last upload: ").append(lastUploadMs == null ? "never"
                : Instant.ofEpochMilli(lastUploadMs) + " " + lastUploadKey).append('\n');
        b.append("dropped: ").append(droppedTotal).append(" batches in all, ").append(droppedUnreported)
                .append(" not yet reported in a batch\n");
        if (journals.isEmpty()) {
            b.append("journal: none (no open batch: stopped cleanly, or not started)\n");
        }
        for (Journal j : journals) {
            b.append("journal: open batch ").append(j.bootId()).append('-').append(j.seq()).append(", ")
                    .append(j.intervals()).append(" intervals, ").append(j.bytes()).append(" bytes, since ")
                    .append(Instant.ofEpochMilli(j.startMs())).append(j.torn() ? ", torn last record" : "")
                    .append('\n');
        }
        return b.toString();
    }

    String json() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("spool_dir", spoolDir.toString());
        m.put("spool_batches", batches);
        m.put("spool_bytes", bytes);
        m.put("oldest_age_seconds", oldestAgeSeconds);
        m.put("last_upload_ms", lastUploadMs);
        m.put("last_upload_key", lastUploadKey);
        m.put("dropped_total", droppedTotal);
        m.put("dropped_unreported", droppedUnreported);
        m.put("journals", journals);
        try {
            return BatchCodec.json().writeValueAsString(m);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

package io.taskmeter.shipper;

import io.taskmeter.core.io.DurableFile;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.taskmeter.core.batch.BatchCodec;
import io.taskmeter.core.batch.Sample;
import io.taskmeter.core.batch.UnitSeries;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;
import java.util.stream.Stream;
import java.util.zip.CRC32;

/**
 * The open batch on disk, so that a kill -9 loses at most the interval being sampled. One file per open batch,
 * {@code journal-<boot id>-<seq>}, named by the batch it will become: a journal recovered after a crash is cut under
 * that same boot id and sequence number, so a batch can never appear under two ids, and one already cut is
 * recognised by its number and not cut again. The first line (the header) is written whole (temporary file,
 * fsync, rename); each interval then appends one line {@code <crc32 hex> <json>}. A write survives the death of
 * the process (kill -9, OOM kill) as soon as it returns, being in the kernel's page cache; against power loss the
 * journal is fdatasynced at most every {@link #SYNC_EVERY_MS} of sample time, which keeps the cost of the
 * per-second appends low. A line cut
 * short by the crash, or whose checksum does not match, ends the journal: it and anything after it are ignored.
 * To keep the per-interval cost small, a unit is written whole only when it first appears in the journal or when
 * anything but its samples changed (tags, end, ...); otherwise the line carries just its new samples.
 */
final class BatchJournal {
    private static final Logger LOG = Logger.getLogger(BatchJournal.class.getName());
    static final String PREFIX = "journal-";
    /** Power loss loses at most this much sample time beyond the interval being sampled. */
    static final long SYNC_EVERY_MS = 5_000;
    private static final ObjectMapper JSON = BatchCodec.json();

    private final Path dir;
    private FileChannel out;
    private Path file;
    private Header header;
    private Merge merge = new Merge();
    private int records;
    private long bytes;
    private long syncedT = -1;
    /** Per unit, what was last written whole: every component but base and samples. */
    private final Map<String, List<Object>> written = new java.util.HashMap<>();
    private static final List<java.lang.reflect.RecordComponent> IDENTITY = java.util.Arrays.stream(
            UnitSeries.class.getRecordComponents())
            .filter(c -> !c.getName().equals("base") && !c.getName().equals("samples")).toList();

    /** Identity of the batch the journal becomes. */
    record Header(String hostId, String bootId, long seq, long startMs, long intervalMs) {
    }

    /** A journal left by a previous run, read up to its first torn or corrupt line. */
    record Recovered(Path file, Header header, long endMs, List<UnitSeries> units, int records, boolean torn) {
    }

    BatchJournal(Path dir) {
        this.dir = dir;
    }

    static Path fileOf(Path dir, String bootId, long seq) {
        return dir.resolve(PREFIX + bootId + "-" + seq);
    }

    /** Starts the journal of a new open batch; its header is on disk when this returns. */
    void open(Header h) throws IOException {
        close();
        file = fileOf(dir, h.bootId(), h.seq());
        DurableFile.write(file, line(JSON.writeValueAsBytes(h)));
        out = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        header = h;
        merge = new Merge();
        written.clear();
        syncedT = -1;
        records = 0;
        bytes = Files.size(file);
    }

    /** One interval's samples: kept for the cut, and on disk before this returns. */
    void append(long t, List<UnitSeries> units) throws IOException {
        merge.add(t, units);
        if (out == null) {
            return; // no open batch (stopping): nothing will be cut from it
        }
        List<UnitSeries> whole = new ArrayList<>();
        Map<String, List<Sample>> samplesOnly = new LinkedHashMap<>();
        for (UnitSeries u : units) {
            List<Object> id = identity(u);
            if (id.equals(written.get(u.unitId()))) {
                if (!u.samples().isEmpty()) {
                    samplesOnly.put(u.unitId(), u.samples());
                }
            } else {
                whole.add(u);
                written.put(u.unitId(), id);
            }
        }
        Map<String, Object> rec = new LinkedHashMap<>();
        rec.put("t", t);
        rec.put("units", whole);
        rec.put("samples", samplesOnly);
        ByteBuffer buf = ByteBuffer.wrap(line(JSON.writeValueAsBytes(rec)));
        bytes += buf.remaining();
        while (buf.hasRemaining()) {
            out.write(buf);
        }
        if (syncedT < 0 || t - syncedT >= SYNC_EVERY_MS || t < syncedT) {
            // Data only (fdatasync): the file's length is metadata the data sync covers; its times are not needed.
            out.force(false);
            syncedT = t;
        }
        records++;
    }

    /** Read through the record's components, so fields the format gains later count without this code knowing. */
    private static List<Object> identity(UnitSeries u) {
        List<Object> values = new ArrayList<>(IDENTITY.size());
        for (java.lang.reflect.RecordComponent c : IDENTITY) {
            try {
                values.add(c.getAccessor().invoke(u));
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot read " + c.getName() + " of a unit", e);
            }
        }
        return values;
    }

    Header header() {
        return header;
    }

    /** The time of the last interval appended, or -1. */
    long lastT() {
        return merge.lastT;
    }

    /** Every unit of the open batch, its intervals merged into one series. */
    List<UnitSeries> units() {
        return merge.units();
    }

    int records() {
        return records;
    }

    long bytes() {
        return bytes;
    }

    /** The open batch was cut and spooled: its journal goes. */
    void discard() throws IOException {
        Path f = file;
        close();
        merge = new Merge();
        if (f != null) {
            Files.deleteIfExists(f);
        }
    }

    /** Stops writing; the file stays for the next start to recover. */
    void close() throws IOException {
        if (out != null) {
            out.close();
        }
        out = null;
        file = null;
        header = null;
    }

    /** Every journal in {@code dir}, oldest boot and sequence first by name; files are left in place. */
    static List<Recovered> recover(Path dir) throws IOException {
        return recover(dir, false);
    }

    /**
     * As {@link #recover(Path)}; a journal that cannot be understood (written by an incompatible version, or
     * damaged beyond its checksums) is skipped with a warning and, with {@code setAside}, renamed
     * {@code unreadable-<name>}: kept for inspection, never retried, and never a reason not to start.
     */
    static List<Recovered> recover(Path dir, boolean setAside) throws IOException {
        List<Recovered> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.getFileName().toString().startsWith(PREFIX)
                    && !p.getFileName().toString().endsWith(".tmp")).sorted().toList()) {
                try {
                    Recovered r = read(f);
                    if (r != null) {
                        out.add(r);
                    }
                } catch (java.nio.file.NoSuchFileException e) {
                    // cut and removed by a running shipper while `status` looked
                } catch (IOException | RuntimeException e) {
                    LOG.warning("journal " + f + " cannot be read (" + e.getMessage() + ")"
                            + (setAside ? "; set aside as unreadable-" + f.getFileName() : ""));
                    if (setAside) {
                        Files.move(f, f.resolveSibling("unreadable-" + f.getFileName()));
                    }
                }
            }
        }
        return out;
    }

    static Recovered read(Path f) throws IOException {
        byte[] all = Files.readAllBytes(f);
        List<byte[]> lines = new ArrayList<>();
        boolean torn = false;
        int from = 0;
        for (int i = 0; i < all.length; i++) {
            if (all[i] == '\n') {
                byte[] payload = payload(all, from, i);
                if (payload == null) {
                    torn = true;
                    break;
                }
                lines.add(payload);
                from = i + 1;
            }
        }
        if (!torn && from < all.length) {
            torn = true; // the last line was being written when the process died
        }
        if (lines.isEmpty()) {
            LOG.warning("journal " + f + " has no readable header; ignoring it");
            return null;
        }
        Header h = JSON.readValue(lines.get(0), Header.class);
        Merge m = new Merge();
        int records = 0;
        for (byte[] l : lines.subList(1, lines.size())) {
            JsonNode n = JSON.readTree(l);
            m.add(n.path("t").asLong(), List.of(JSON.treeToValue(n.path("units"), UnitSeries[].class)));
            for (var e : n.path("samples").properties()) {
                m.addSamples(e.getKey(), List.of(JSON.treeToValue(e.getValue(), Sample[].class)));
            }
            records++;
        }
        if (torn) {
            LOG.warning("journal " + f + ": the last record was torn by the crash and is ignored");
        }
        return new Recovered(f, h, Math.max(m.lastT, h.startMs()), m.units(), records, torn);
    }

    /** The JSON of one line if its checksum holds, else null. */
    private static byte[] payload(byte[] all, int from, int to) {
        if (to - from < 10 || all[from + 8] != ' ') {
            return null;
        }
        long expected;
        try {
            expected = Long.parseLong(new String(all, from, 8, StandardCharsets.US_ASCII), 16);
        } catch (NumberFormatException e) {
            return null;
        }
        CRC32 crc = new CRC32();
        crc.update(all, from + 9, to - from - 9);
        if (crc.getValue() != expected) {
            return null;
        }
        byte[] p = new byte[to - from - 9];
        System.arraycopy(all, from + 9, p, 0, p.length);
        return p;
    }

    private static byte[] line(byte[] json) {
        CRC32 crc = new CRC32();
        crc.update(json);
        byte[] prefix = String.format("%08x ", crc.getValue()).getBytes(StandardCharsets.US_ASCII);
        byte[] l = new byte[prefix.length + json.length + 1];
        System.arraycopy(prefix, 0, l, 0, prefix.length);
        System.arraycopy(json, 0, l, prefix.length, json.length);
        l[l.length - 1] = '\n';
        return l;
    }

    /**
     * Per-interval series of a unit joined into the batch's series: the first interval's base, every sample in
     * order, and everything else (end, tags, recognition) from the latest interval.
     */
    static final class Merge {
        private final Map<String, UnitSeries> latest = new LinkedHashMap<>();
        private final Map<String, Sample> base = new LinkedHashMap<>();
        private final Map<String, List<Sample>> samples = new LinkedHashMap<>();
        long lastT = -1;

        void add(long t, List<UnitSeries> units) {
            lastT = Math.max(lastT, t);
            for (UnitSeries u : units) {
                latest.put(u.unitId(), u);
                base.putIfAbsent(u.unitId(), u.base());
                samples.computeIfAbsent(u.unitId(), k -> new ArrayList<>()).addAll(u.samples());
            }
        }

        void addSamples(String unitId, List<Sample> more) {
            List<Sample> to = samples.get(unitId);
            if (to != null) { // a unit is written whole before its samples alone
                to.addAll(more);
            }
        }

        List<UnitSeries> units() {
            List<UnitSeries> out = new ArrayList<>(latest.size());
            for (UnitSeries u : latest.values()) {
                // Through the JSON tree rather than the constructor, so fields the format gains later are carried
                // from the latest interval without this code knowing them.
                ObjectNode n = JSON.valueToTree(u);
                n.set("base", JSON.valueToTree(base.get(u.unitId())));
                n.set("samples", JSON.valueToTree(samples.get(u.unitId())));
                try {
                    out.add(JSON.treeToValue(n, UnitSeries.class));
                } catch (IOException e) {
                    throw new IllegalStateException("cannot merge the series of unit " + u.unitId(), e);
                }
            }
            return out;
        }
    }
}

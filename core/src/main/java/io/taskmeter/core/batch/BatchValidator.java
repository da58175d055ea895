package io.taskmeter.core.batch;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Checks a decoded batch for everything downstream code relies on, so handlers never see a half-valid batch. */
final class BatchValidator {
    /** 2020-01-01: a sample before this is a host clock that was never set. */
    static final long EARLIEST_MS = 1_577_836_800_000L;
    /** Samples further than this in the future of the batch end are a broken clock, not a late upload. */
    static final long MAX_BATCH_SPAN_MS = 24L * 3600 * 1000;

    /** A batch ending this far after the reader's clock comes from a host clock that runs ahead. */
    static final long MAX_AHEAD_OF_READER_MS = 24L * 3600 * 1000;
    /**
     * Bytes a tree can move per millisecond (100 GiB/s, page-cache reads included): more is a broken counter,
     * and sums of such counters overflow.
     */
    static final long MAX_IO_BYTES_PER_MS = 100L << 20;
    /**
     * Samples of one unit in one batch: an hour of one-second samples. A unit's usage within a batch is one
     * DynamoDB item (at most 400 KB); its per-interval arrays take about 70 bytes a sample.
     */
    static final int MAX_SAMPLES_PER_UNIT = 3600;
    /** Longer command lines are truncated when stored; this only bounds what a batch may carry. */
    static final int MAX_COMMAND_CHARS = 128 * 1024;
    static final int MAX_TAGS = 32;
    static final int MAX_TAG_CHARS = 1024;
    static final int MAX_ID_CHARS = 256;

    private BatchValidator() {
    }

    static void validate(Batch b) throws BatchFormatException {
        validate(b, System.currentTimeMillis());
    }

    static void validate(Batch b, long nowMs) throws BatchFormatException {
        require(b.hostId() != null && b.hostId().matches("[A-Za-z0-9._-]{1,128}"),
                "host_id missing or not [A-Za-z0-9._-]{1,128}");
        require(b.bootId() != null && b.bootId().matches("[0-9A-Za-z-]{1,64}"), "boot_id missing or malformed");
        require(b.shipperVersion() != null && b.shipperVersion().length() <= MAX_ID_CHARS,
                "shipper_version missing or longer than " + MAX_ID_CHARS);
        require(b.seq() >= 1, "seq must be >= 1, was " + b.seq());
        require(b.startMs() >= EARLIEST_MS, "start_ms " + b.startMs() + " is before 2020: host clock not set?");
        require(b.endMs() >= b.startMs(), "end_ms is before start_ms");
        require(b.endMs() - b.startMs() <= MAX_BATCH_SPAN_MS, "batch spans more than 24 h");
        require(b.endMs() <= nowMs + MAX_AHEAD_OF_READER_MS, "end_ms " + b.endMs()
                + " is more than 24 h after the time of reading: host clock ahead?");
        require(b.intervalMs() > 0, "interval_ms must be positive");
        require(b.droppedBatches() >= 0, "dropped_batches is negative");
        require(b.host() != null, "host missing");
        require(b.host().cpus() > 0 && b.host().cpus() <= 4096, "host.cpus out of range: " + b.host().cpus());
        require(b.host().memoryBytes() > 0, "host.memory_bytes must be positive");
        require(b.host().instanceType() == null || b.host().instanceType().length() <= MAX_ID_CHARS,
                "host.instance_type longer than " + MAX_ID_CHARS);
        require(b.units() != null, "units missing");
        Set<String> ids = new HashSet<>();
        for (UnitSeries u : b.units()) {
            validateUnit(b, u);
            require(ids.add(u.unitId()), "unit " + u.unitId() + " appears twice");
        }
    }

    private static void validateUnit(Batch b, UnitSeries u) throws BatchFormatException {
        require(u.unitId() != null && !u.unitId().isBlank() && u.unitId().length() <= MAX_ID_CHARS,
                "a unit has no unit_id, or one longer than " + MAX_ID_CHARS);
        String where = "unit " + u.unitId() + ": ";
        require(u.kind() != null && u.tags() != null, where + "kind and tags are required");
        require(u.kind().length() <= MAX_ID_CHARS && (u.how() == null || u.how().length() <= MAX_ID_CHARS),
                where + "kind or how longer than " + MAX_ID_CHARS);
        require(u.tags().size() <= MAX_TAGS, where + u.tags().size() + " tags, more than " + MAX_TAGS);
        for (var tag : u.tags().entrySet()) {
            require(tag.getKey() != null && tag.getKey().length() <= MAX_ID_CHARS
                    && (tag.getValue() == null || tag.getValue().length() <= MAX_TAG_CHARS),
                    where + "a tag name or value is too long (" + MAX_ID_CHARS + "/" + MAX_TAG_CHARS + " chars)");
        }
        require(u.command() == null || u.command().length() <= MAX_COMMAND_CHARS,
                where + "command longer than " + MAX_COMMAND_CHARS + " chars");
        require(u.base() != null && u.samples() != null, where + "base and samples are required");
        require(u.samples().size() <= MAX_SAMPLES_PER_UNIT, where + u.samples().size() + " samples, more than "
                + MAX_SAMPLES_PER_UNIT + " in one batch");
        require(u.startedMs() >= EARLIEST_MS, where + "started_ms before 2020");
        Sample prev = u.base();
        checkSample(where + "base", prev);
        List<Sample> samples = u.samples();
        for (int i = 0; i < samples.size(); i++) {
            Sample s = samples.get(i);
            String at = where + "sample " + i;
            checkSample(at, s);
            require(s.t() >= prev.t(), at + " is older than the one before it");
            require(s.t() <= b.endMs() + b.intervalMs() && s.t() >= b.startMs() - MAX_BATCH_SPAN_MS,
                    at + " time " + s.t() + " is outside the batch's time range");
            require(s.cpuMillis() >= prev.cpuMillis() && s.readBytes() >= prev.readBytes()
                            && s.writeBytes() >= prev.writeBytes() && s.rchar() >= prev.rchar()
                            && s.wchar() >= prev.wchar() && s.spawned() >= prev.spawned(),
                    at + " has a cumulative counter lower than the sample before it");
            long dt = Math.max(1, s.t() - prev.t());
            // A tree cannot use more CPU than the host has; allow rounding of clock ticks.
            long maxBytes = (dt + 1000) * MAX_IO_BYTES_PER_MS;
            require(s.readBytes() - prev.readBytes() <= maxBytes && s.writeBytes() - prev.writeBytes() <= maxBytes
                            && s.rchar() - prev.rchar() <= maxBytes && s.wchar() - prev.wchar() <= maxBytes,
                    at + " moves more bytes than any device can in " + dt + " ms");
            require(s.cpuMillis() - prev.cpuMillis() <= dt * b.host().cpus() + 1000,
                    at + " uses more CPU than the host has (" + (s.cpuMillis() - prev.cpuMillis()) + " ms in "
                            + dt + " ms on " + b.host().cpus() + " cpus)");
            prev = s;
        }
    }

    private static void checkSample(String at, Sample s) throws BatchFormatException {
        require(s.cpuMillis() >= 0 && s.rssBytes() >= 0 && s.hwmBytes() >= 0 && s.readBytes() >= 0
                && s.writeBytes() >= 0 && s.rchar() >= 0 && s.wchar() >= 0 && s.processes() >= 0
                && s.spawned() >= 0 && s.running() >= 0 && s.diskWait() >= 0, at + " has a negative counter");
        require(s.rssBytes() <= (1L << 50) && s.hwmBytes() <= (1L << 50), at + " has an absurd memory figure");
    }

    private static void require(boolean ok, String reason) throws BatchFormatException {
        if (!ok) {
            throw new BatchFormatException(reason);
        }
    }
}

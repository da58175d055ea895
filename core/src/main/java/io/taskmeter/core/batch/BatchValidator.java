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
    static final int MAX_PATH_CHARS = 4096;
    /** Top processes carry a cut command (256) that redaction may have lengthened a little. */
    static final int MAX_TOP_COMMAND_CHARS = 1024;
    /** Disks or network interfaces of one host sample. */
    static final int MAX_DEVICES = 256;

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
        validateHost(b);
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
        require(u.cgroup() == null || u.cgroup().length() <= MAX_PATH_CHARS, where + "cgroup path longer than "
                + MAX_PATH_CHARS);
        require(u.topProcesses().size() <= UnitSeries.MAX_TOP_PROCESSES, where + u.topProcesses().size()
                + " top processes, more than " + UnitSeries.MAX_TOP_PROCESSES);
        for (TopProcess p : u.topProcesses()) {
            require(p != null && p.command() != null && p.command().length() <= MAX_TOP_COMMAND_CHARS
                    && p.cpuMillis() >= 0 && p.processes() >= 0, where + "a top process has no command, one longer "
                    + "than " + MAX_TOP_COMMAND_CHARS + " chars, or a negative figure");
        }
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
                            && s.wchar() >= prev.wchar() && s.spawned() >= prev.spawned()
                            && s.runningMs() >= prev.runningMs() && s.sleepingMs() >= prev.sleepingMs()
                            && s.diskWaitMs() >= prev.diskWaitMs()
                            && s.voluntarySwitches() >= prev.voluntarySwitches()
                            && s.involuntarySwitches() >= prev.involuntarySwitches()
                            && s.spawnedInferred() >= prev.spawnedInferred(),
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
                && s.spawned() >= 0 && s.running() >= 0 && s.diskWait() >= 0 && s.runningMs() >= 0
                && s.sleepingMs() >= 0 && s.diskWaitMs() >= 0 && s.voluntarySwitches() >= 0
                && s.involuntarySwitches() >= 0 && s.spawnedInferred() >= 0 && s.spawnedInferred() <= s.spawned()
                && (s.pssBytes() == null || s.pssBytes() >= 0), at + " has a negative counter");
        CgroupSample c = s.cgroup();
        require(c == null || nonNegative(c.cpuUsageUs(), c.cpuThrottledUs(), c.memoryCurrentBytes(),
                c.memoryPeakBytes(), c.ioReadBytes(), c.ioWriteBytes()) && pressureOk(c.psi()),
                at + " has a negative cgroup counter");
        require(s.rssBytes() <= (1L << 50) && s.hwmBytes() <= (1L << 50), at + " has an absurd memory figure");
    }

    /** Host signals are context, not usage: bounded and sane, and not required to grow (an interface can reset). */
    private static void validateHost(Batch b) throws BatchFormatException {
        HostSeries h = b.hostSignals();
        if (h == null) {
            return;
        }
        require(h.network() == null || h.network().length() <= MAX_ID_CHARS, "host_signals.network too long");
        require(h.samples() != null && h.samples().size() <= MAX_SAMPLES_PER_UNIT,
                "host_signals.samples missing or more than " + MAX_SAMPLES_PER_UNIT);
        long prevT = h.base() == null ? Long.MIN_VALUE : h.base().t();
        if (h.base() != null) {
            checkHostSample("host_signals.base", h.base());
        }
        for (int i = 0; i < h.samples().size(); i++) {
            HostSample s = h.samples().get(i);
            String at = "host_signals sample " + i;
            require(s != null, at + " is null");
            checkHostSample(at, s);
            require(s.t() >= prevT, at + " is older than the one before it");
            prevT = s.t();
        }
    }

    private static void checkHostSample(String at, HostSample s) throws BatchFormatException {
        require(s.cpuBusyMs() >= 0 && s.cpuIdleMs() >= 0 && s.cpuIowaitMs() >= 0 && s.cpuStealMs() >= 0
                && s.load1() >= 0 && Double.isFinite(s.load1()) && s.runnable() >= 0 && s.blocked() >= 0
                && s.memAvailableBytes() >= 0 && s.swapUsedBytes() >= 0 && pressureOk(s.psi()),
                at + " has a negative or non-finite figure");
        require(s.disks() == null || s.disks().size() <= MAX_DEVICES, at + " lists more than " + MAX_DEVICES
                + " disks");
        require(s.nets() == null || s.nets().size() <= MAX_DEVICES, at + " lists more than " + MAX_DEVICES
                + " interfaces");
        for (DiskCounters d : s.disks() == null ? List.<DiskCounters>of() : s.disks()) {
            require(d != null && d.name() != null && d.name().length() <= MAX_ID_CHARS && d.readBytes() >= 0
                    && d.writeBytes() >= 0 && d.ioMs() >= 0, at + " has a disk without a name or with a negative "
                    + "counter");
        }
        for (NetCounters n : s.nets() == null ? List.<NetCounters>of() : s.nets()) {
            require(n != null && n.name() != null && n.name().length() <= MAX_ID_CHARS && n.rxBytes() >= 0
                    && n.txBytes() >= 0, at + " has an interface without a name or with a negative counter");
        }
    }

    private static boolean pressureOk(Pressure p) {
        return p == null || nonNegative(p.cpuSomeUs(), p.cpuFullUs(), p.memorySomeUs(), p.memoryFullUs(),
                p.ioSomeUs(), p.ioFullUs());
    }

    private static boolean nonNegative(Long... values) {
        for (Long v : values) {
            if (v != null && v < 0) {
                return false;
            }
        }
        return true;
    }

    private static void require(boolean ok, String reason) throws BatchFormatException {
        if (!ok) {
            throw new BatchFormatException(reason);
        }
    }
}

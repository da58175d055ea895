package io.taskmeter.shipper;

import io.taskmeter.core.batch.Sample;
import io.taskmeter.core.identity.Recognition;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One execution unit: a recognised root and its descendants, with monotone cumulative counters for the whole
 * tree. CPU and I/O of a live member include its reaped children (cutime/cstime, /proc/PID/io), so a member that
 * exits is counted again only when no live member of the tree reaped it: then its last seen totals are carried.
 * Not thread-safe: the {@link Sampler} owns it.
 */
final class TreeTracker {
    final String unitId;
    final int rootPid;
    final long rootStartTicks;
    final long rootKey;
    final long startedMs;
    final String command;
    final boolean partial;
    private final long hz;
    private final long pageSize;
    private Recognition recognition;
    private Long endedMs;

    private Map<Long, Member> live = new HashMap<>();
    private final Set<Long> everSeen = new HashSet<>();
    private long carriedTicks;
    private ProcIo carriedIo = ProcIo.ZERO;
    private long maxHwm;
    private Sample last;
    private Sample base;
    private final List<Sample> pending = new ArrayList<>();

    /** A member process's latest readings. */
    record Member(ProcStat stat, ProcIo io, long hwmBytes) {
    }

    /**
     * @param partial true when the root was already running when the shipper started: the first observed sample
     *                is then the base; otherwise the base is zero at the root's start, so all its usage counts
     */
    TreeTracker(String unitId, int rootPid, long rootStartTicks, long startedMs, String command,
                Recognition recognition, boolean partial, long hz, long pageSize) {
        this.hz = hz;
        this.pageSize = pageSize;
        this.unitId = unitId;
        this.rootPid = rootPid;
        this.rootStartTicks = rootStartTicks;
        this.rootKey = ProcStat.key(rootPid, rootStartTicks);
        this.startedMs = startedMs;
        this.command = command;
        this.recognition = recognition;
        this.partial = partial;
        this.base = partial ? null : Sample.zeroAt(startedMs);
    }

    Recognition recognition() {
        return recognition;
    }

    void enrich(Recognition other) {
        Recognition merged = recognition.enrichedWith(other);
        if (!merged.equals(recognition)) {
            recognition = merged;
        }
    }

    Long endedMs() {
        return endedMs;
    }

    boolean ended() {
        return endedMs != null;
    }

    /** The root is gone: the last sample stands as the final one. */
    void end(long nowMs) {
        endedMs = nowMs;
    }

    /**
     * Updates the tree from this scan's members (keyed by process key) and appends a sample.
     */
    void update(long nowMs, Map<Long, Member> members) {
        for (Map.Entry<Long, Member> e : live.entrySet()) {
            if (!members.containsKey(e.getKey()) && !reapedInTree(e.getValue().stat(), members)) {
                carriedTicks += e.getValue().stat().totalTicks();
                carriedIo = carriedIo.plus(e.getValue().io());
            }
        }
        live = new HashMap<>(members);
        everSeen.addAll(members.keySet());
        long ticks = carriedTicks;
        ProcIo io = carriedIo;
        long rss = 0;
        int running = 0;
        int diskWait = 0;
        for (Member m : members.values()) {
            ticks += m.stat().totalTicks();
            io = io.plus(m.io());
            rss += m.stat().rssPages() * pageSize;
            maxHwm = Math.max(maxHwm, m.hwmBytes());
            if (m.stat().state() == 'R') {
                running++;
            } else if (m.stat().state() == 'D') {
                diskWait++;
            }
        }
        long cpuMs = ticks * 1000 / hz;
        Sample p = last != null ? last : base;
        // A child that exited but is not reaped yet is in no one's counters for a moment: never go backwards.
        Sample s = new Sample(nowMs,
                p == null ? cpuMs : Math.max(p.cpuMillis(), cpuMs), rss, maxHwm,
                p == null ? io.readBytes() : Math.max(p.readBytes(), io.readBytes()),
                p == null ? io.writeBytes() : Math.max(p.writeBytes(), io.writeBytes()),
                p == null ? io.rchar() : Math.max(p.rchar(), io.rchar()),
                p == null ? io.wchar() : Math.max(p.wchar(), io.wchar()),
                members.size(), p == null ? everSeen.size() : Math.max(p.spawned(), everSeen.size()), running,
                diskWait);
        if (base == null) {
            base = s; // first seen mid-run: usage before now is unknown, and the series says partial
        } else {
            pending.add(s);
        }
        last = s;
    }

    /**
     * Whether an exited member was reaped by a live member of the tree, so its usage is already in that member's
     * cutime/cstime and /proc/PID/io: its parent (or, when the parent exited in the same interval, the nearest
     * ancestor known to the tree) is alive in the tree now.
     */
    private boolean reapedInTree(ProcStat gone, Map<Long, Member> members) {
        ProcStat at = gone;
        for (int depth = 0; depth < 256; depth++) {
            ProcStat parent = find(members, at.ppid(), at.startTicks());
            if (parent != null) {
                return true;
            }
            parent = find(live, at.ppid(), at.startTicks());
            if (parent == null) {
                return false; // parent outside the tree (the root's parent, or an orphan's adopter)
            }
            at = parent; // gone too: whoever reaped it reaped this one's totals with it
        }
        return false;
    }

    private static ProcStat find(Map<Long, Member> in, int pid, long notAfterTicks) {
        for (Member m : in.values()) {
            if (m.stat().pid() == pid && m.stat().startTicks() <= notAfterTicks) {
                return m.stat();
            }
        }
        return null;
    }

    /** Adds the pids of the members seen at the last update. */
    void memberPids(java.util.Set<Integer> into) {
        for (Member m : live.values()) {
            into.add(m.stat().pid());
        }
        into.add(rootPid);
    }

    boolean wasMember(long key) {
        return live.containsKey(key);
    }

    /** The samples since the last cut, and the base they start from; the next cut starts at the last of them. */
    record Cut(Sample base, List<Sample> samples) {
    }

    Cut cut() {
        Cut c = new Cut(base == null ? last : base, List.copyOf(pending));
        if (!pending.isEmpty()) {
            base = pending.get(pending.size() - 1);
        }
        pending.clear();
        return c;
    }

    boolean sampled() {
        return last != null;
    }
}

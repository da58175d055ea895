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
 * One execution unit: a recognised root and its descendants, with cumulative counters for the whole tree.
 * A member that exits is folded into its parent's cutime/cstime and /proc/PID/io when the parent reaps it, so it
 * is carried over only when its parent is outside the tree (the root itself, or an orphan).
 */
final class UnitTracker {
    final String unitId;
    final int rootPid;
    final long rootStartTicks;
    final long startedMs;
    final String command;
    final boolean partial;
    Recognition recognition;
    Long endedMs;

    private final Map<Long, Member> live = new HashMap<>();
    private final Set<Long> everSeen = new HashSet<>();
    private long carriedTicks;
    private final long[] carriedIo = new long[4];
    private long maxHwm;
    private Sample last;
    private Sample base;
    private final List<Sample> pending = new ArrayList<>();

    /** A member process's latest totals, keyed by (pid, start ticks) so a reused pid is a new member. */
    record Member(ProcStat stat, long[] io) {
    }

    UnitTracker(String unitId, int rootPid, long rootStartTicks, long startedMs, String command,
                Recognition recognition, boolean partial, long firstSeenMs) {
        this.unitId = unitId;
        this.rootPid = rootPid;
        this.rootStartTicks = rootStartTicks;
        this.startedMs = startedMs;
        this.command = command;
        this.recognition = recognition;
        this.partial = partial;
        this.base = partial ? null : Sample.zeroAt(Math.min(startedMs, firstSeenMs));
    }

    static long key(int pid, long startTicks) {
        return ((long) pid << 40) ^ startTicks;
    }

    /**
     * Updates the tree from this scan's members and appends a sample.
     *
     * @param members the unit's live processes now, with their io counters
     * @param hwm     largest VmHWM among them
     */
    void sample(long nowMs, Map<Long, Member> members, long hwm, long ticksPerSecond, long pageSize) {
        for (Map.Entry<Long, Member> gone : live.entrySet()) {
            if (members.containsKey(gone.getKey())) {
                continue;
            }
            ProcStat s = gone.getValue().stat();
            // A parent in the tree (alive, or gone in the same interval) reaped it into its own counters, and is
            // itself accounted by this rule; only a process reaped outside the tree (the root, or an orphan)
            // would be lost, so its last seen totals are kept.
            if (!hasPid(members, s.ppid()) && !hasPid(live, s.ppid())) {
                carriedTicks += s.totalTicks();
                for (int i = 0; i < 4; i++) {
                    carriedIo[i] += gone.getValue().io()[i];
                }
            }
        }
        live.clear();
        live.putAll(members);
        everSeen.addAll(members.keySet());
        maxHwm = Math.max(maxHwm, hwm);
        long ticks = carriedTicks;
        long[] io = carriedIo.clone();
        long rss = 0;
        int running = 0;
        int diskWait = 0;
        for (Member m : members.values()) {
            ticks += m.stat().totalTicks();
            for (int i = 0; i < 4; i++) {
                io[i] += m.io()[i];
            }
            rss += m.stat().rssPages() * pageSize;
            if (m.stat().state() == 'R') {
                running++;
            } else if (m.stat().state() == 'D') {
                diskWait++;
            }
        }
        long cpuMs = ticks * 1000 / ticksPerSecond;
        Sample prev = last;
        // A child that exited but is not reaped yet is in no one's counters for a moment: never go backwards.
        Sample s = new Sample(nowMs,
                prev == null ? cpuMs : Math.max(prev.cpuMillis(), cpuMs), rss, maxHwm,
                prev == null ? io[2] : Math.max(prev.readBytes(), io[2]),
                prev == null ? io[3] : Math.max(prev.writeBytes(), io[3]),
                prev == null ? io[0] : Math.max(prev.rchar(), io[0]),
                prev == null ? io[1] : Math.max(prev.wchar(), io[1]),
                members.size(), everSeen.size(), running, diskWait);
        if (base == null) {
            base = s; // first seen mid-run: usage before now is unknown, and the batch says partial
        } else {
            pending.add(s);
        }
        last = s;
    }

    private static boolean hasPid(Map<Long, Member> members, int pid) {
        for (Member m : members.values()) {
            if (m.stat().pid() == pid) {
                return true;
            }
        }
        return false;
    }

    boolean isMember(long key) {
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

    boolean hasPending() {
        return !pending.isEmpty();
    }
}

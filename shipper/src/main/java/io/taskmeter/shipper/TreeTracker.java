package io.taskmeter.shipper;

import io.taskmeter.core.batch.CgroupSample;
import io.taskmeter.core.batch.Sample;
import io.taskmeter.core.batch.TopProcess;
import io.taskmeter.core.batch.UnitSeries;
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
    private long carriedVoluntary;
    private long carriedInvoluntary;
    private long runningMs;
    private long sleepingMs;
    private long diskWaitMs;
    private long spawnedInferred;
    /** Whether the kernel's fork events reach this unit: then they, not cutime growth, count unseen children. */
    private boolean forkEvents;
    /** Processes forked in the tree (heard from fork events) that are alive and not seen as members yet. */
    private final Set<Integer> forkedNotSeen = new HashSet<>();
    private final Set<Integer> exitedNotSeen = new HashSet<>();
    /** Pids of members seen in the last {@link #LATE_EVENT_MS}, by when: a fork event read late names one of them. */
    private final Map<Integer, Long> recentlySeen = new HashMap<>();
    static final long LATE_EVENT_MS = 10_000;
    /** Per command of the members that exited: their own CPU ticks and how many ran it. */
    private final Map<String, long[]> exitedByCommand = new HashMap<>();
    private String cgroup;
    private CgroupSample cgroupSample;
    private Sample last;
    private Sample base;
    private final List<Sample> pending = new ArrayList<>();

    /**
     * A member process's latest readings.
     *
     * @param pssBytes null when not readable
     * @param command  what the top-processes list calls it: argv0's base name and the redacted arguments
     */
    record Member(ProcStat stat, ProcIo io, long hwmBytes, long voluntarySwitches, long involuntarySwitches,
                  Long pssBytes, String command) {
        Member(ProcStat stat, ProcIo io, long hwmBytes) {
            this(stat, io, hwmBytes, 0, 0, null, stat.comm());
        }
    }

    /** Distinct commands kept for the top-processes list; later ones are grouped under their comm. */
    static final int MAX_COMMANDS = 1000;

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
        Map<Integer, List<Member>> goneByParent = new HashMap<>();
        for (Map.Entry<Long, Member> e : live.entrySet()) {
            if (members.containsKey(e.getKey())) {
                continue;
            }
            Member gone = e.getValue();
            goneByParent.computeIfAbsent(gone.stat().ppid(), k -> new ArrayList<>()).add(gone);
            if (!reapedInTree(gone.stat(), members)) {
                carriedTicks += gone.stat().totalTicks();
                carriedIo = carriedIo.plus(gone.io());
            }
            // Context switches never fold into a parent: every exited member's last counts are kept.
            carriedVoluntary += gone.voluntarySwitches();
            carriedInvoluntary += gone.involuntarySwitches();
        }
        Map<Long, Long> unseenSelf = lastIntervalOfGone(goneByParent, members);
        for (List<Member> siblings : goneByParent.values()) {
            for (Member gone : siblings) {
                long self = gone.stat().selfTicks() + unseenSelf.getOrDefault(gone.stat().key(), 0L);
                String command = exitedByCommand.size() < MAX_COMMANDS
                        || exitedByCommand.containsKey(gone.command()) ? gone.command() : gone.stat().comm();
                long[] c = exitedByCommand.computeIfAbsent(command, k -> new long[2]);
                c[0] += self;
                c[1]++;
            }
        }
        for (Map.Entry<Long, Member> e : members.entrySet()) {
            Member before = live.get(e.getKey());
            // Reaped-children CPU grew and no child we saw went away: a child lived and died unseen.
            if (!forkEvents && before != null && e.getValue().stat().childTicks() > before.stat().childTicks()
                    && !goneByParent.containsKey(before.stat().pid())) {
                spawnedInferred++;
            }
            forkedNotSeen.remove(e.getValue().stat().pid()); // heard forking, now seen: counted as seen
            exitedNotSeen.remove(e.getValue().stat().pid());
            recentlySeen.put(e.getValue().stat().pid(), nowMs);
        }
        spawnedInferred += exitedNotSeen.size();
        exitedNotSeen.clear();
        recentlySeen.values().removeIf(t -> nowMs - t > LATE_EVENT_MS || t > nowMs);
        Sample previous = last != null ? last : base;
        long dt = previous == null ? 0 : Math.max(0, nowMs - previous.t());
        for (Member m : members.values()) {
            switch (m.stat().state()) {
                case 'R' -> runningMs += dt;
                case 'D' -> diskWaitMs += dt;
                case 'S', 'I' -> sleepingMs += dt;
                default -> { } // stopped, traced, zombie: neither working nor waiting for work
            }
        }
        live = new HashMap<>(members);
        everSeen.addAll(members.keySet());
        long ticks = carriedTicks;
        ProcIo io = carriedIo;
        long rss = 0;
        int running = 0;
        int diskWait = 0;
        long voluntary = carriedVoluntary;
        long involuntary = carriedInvoluntary;
        Long pss = null;
        for (Member m : members.values()) {
            voluntary += m.voluntarySwitches();
            involuntary += m.involuntarySwitches();
            if (m.pssBytes() != null) {
                pss = (pss == null ? 0 : pss) + m.pssBytes();
            }
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
        long spawned = everSeen.size() + spawnedInferred;
        Sample s = new Sample(nowMs,
                p == null ? cpuMs : Math.max(p.cpuMillis(), cpuMs), rss, maxHwm,
                p == null ? io.readBytes() : Math.max(p.readBytes(), io.readBytes()),
                p == null ? io.writeBytes() : Math.max(p.writeBytes(), io.writeBytes()),
                p == null ? io.rchar() : Math.max(p.rchar(), io.rchar()),
                p == null ? io.wchar() : Math.max(p.wchar(), io.wchar()),
                members.size(), p == null ? spawned : Math.max(p.spawned(), spawned), running,
                diskWait, runningMs, sleepingMs, diskWaitMs,
                p == null ? voluntary : Math.max(p.voluntarySwitches(), voluntary),
                p == null ? involuntary : Math.max(p.involuntarySwitches(), involuntary), pss, spawnedInferred,
                cgroupSample);
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

    /**
     * The CPU that exited members used after their last sample, which polling alone never sees: when a live member
     * reaped exactly one gone subtree since the last update, its cutime+cstime grew by that subtree's final total,
     * and what exceeds the subtree's last readings went to its busiest process (the one most likely still running
     * then). Keyed by process key; only for the top-processes list (the tree's CPU is exact without it).
     */
    private Map<Long, Long> lastIntervalOfGone(Map<Integer, List<Member>> goneByParent, Map<Long, Member> members) {
        Map<Long, Long> extra = new HashMap<>();
        for (Member now : members.values()) {
            Member before = live.get(now.stat().key());
            List<Member> reaped = goneByParent.get(now.stat().pid());
            if (before == null || reaped == null || reaped.size() != 1) {
                continue;
            }
            List<Member> subtree = new ArrayList<>();
            collectGone(reaped.get(0), goneByParent, subtree, 0);
            long known = 0;
            Member busiest = subtree.get(0);
            for (Member m : subtree) {
                known += m.stat().totalTicks();
                if (m.stat().selfTicks() > busiest.stat().selfTicks()) {
                    busiest = m;
                }
            }
            long missing = now.stat().childTicks() - before.stat().childTicks() - known;
            if (missing > 0) {
                extra.merge(busiest.stat().key(), missing, Long::sum);
            }
        }
        return extra;
    }

    private static void collectGone(Member m, Map<Integer, List<Member>> goneByParent, List<Member> into, int depth) {
        into.add(m);
        List<Member> children = goneByParent.get(m.stat().pid());
        if (children != null && depth < 256) {
            for (Member c : children) {
                if (c.stat().startTicks() >= m.stat().startTicks()) {
                    collectGone(c, goneByParent, into, depth + 1);
                }
            }
        }
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

    /** From now on unseen children are counted from fork events ({@link #forked}), exactly. */
    void countForks() {
        forkEvents = true;
    }

    /** A member (or a process forked in the tree) forked {@code pid}. */
    void forked(int pid) {
        if (!recentlySeen.containsKey(pid)) { // else seen already: its event was read after the scan saw it
            forkedNotSeen.add(pid);
        }
    }

    /**
     * A process exited: if it was forked in the tree and never seen, it is counted at the next update unless that
     * update's scan saw it (as a zombie not yet reaped, or just before it exited). Counters only grow.
     */
    void exited(int pid) {
        if (forkedNotSeen.remove(pid)) {
            exitedNotSeen.add(pid);
        }
    }

    /** Pids whose forks belong to this tree: its live members and the forked processes not seen yet. */
    void forkingPids(Set<Integer> into) {
        memberPids(into);
        into.addAll(forkedNotSeen);
    }

    /** The unit's own cgroup v2 (a container or pod) and its counters now; null when it shares the host's. */
    void cgroup(String path, CgroupSample sample) {
        this.cgroup = path;
        this.cgroupSample = sample;
    }

    String cgroup() {
        return cgroup;
    }

    /**
     * The commands that used the most CPU so far, most first: exited members' final own time plus live members'
     * current own time, grouped by command.
     */
    List<TopProcess> topProcesses() {
        Map<String, long[]> all = new HashMap<>();
        exitedByCommand.forEach((k, v) -> all.put(k, v.clone()));
        for (Member m : live.values()) {
            long[] c = all.computeIfAbsent(m.command(), k -> new long[2]);
            c[0] += m.stat().selfTicks();
            c[1]++;
        }
        List<TopProcess> out = new ArrayList<>();
        all.forEach((command, v) -> out.add(new TopProcess(command, v[0] * 1000 / hz, (int) v[1])));
        out.sort(java.util.Comparator.comparingLong(TopProcess::cpuMillis).reversed()
                .thenComparing(TopProcess::command));
        return List.copyOf(out.subList(0, Math.min(UnitSeries.MAX_TOP_PROCESSES, out.size())));
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

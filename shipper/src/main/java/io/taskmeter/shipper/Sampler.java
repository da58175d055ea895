package io.taskmeter.shipper;

import io.taskmeter.core.batch.HostSample;
import io.taskmeter.core.batch.HostSeries;
import io.taskmeter.core.batch.UnitSeries;
import io.taskmeter.core.identity.CommandLineRedactor;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Logger;

/**
 * One scan of the process table every interval, made cheap by reading only what can matter: /proc is listed (one
 * directory read), but /proc/PID/stat is read only for processes not seen before, for young ones (whose title or
 * identity may still change), and for members of task trees; every other process's stat is re-read once per
 * {@link #FULL_SCAN_MS} (to notice an exec that turns an old process into a task). The {@link TaskDetector} then
 * assigns processes to units by parent links. Everything else is read for unit members only: io every scan;
 * /proc/PID/status (VmHWM, context switches) when a member is new, ran since the last read (its own CPU ticks
 * moved), its resident set changed (a drop can follow a peak between two samples), or at a full scan; smaps_rollup
 * (PSS) from a member's second scan on, at most every {@link #PSS_EVERY_MS}; cmdline (for the top-processes list) when a member is new or its comm
 * changed (an exec). The host's own signals are a fixed seven small files per scan. A new process is therefore
 * seen at the first scan after it appears, as before. Scans and cuts are serialised on this object, so
 * {@link #scan} may be called from any thread.
 */
final class Sampler {
    private static final Logger LOG = Logger.getLogger(Sampler.class.getName());
    /** Every process's stat is re-read at least this often. */
    static final long FULL_SCAN_MS = 10_000;
    private final ProcReader proc;
    private final TaskDetector detector;
    private final Map<Long, TreeTracker> units = new LinkedHashMap<>();
    private final List<TreeTracker> ended = new ArrayList<>();
    /** The last stat read of every process listed in /proc, by pid. */
    private Map<Integer, ProcStat> known = new HashMap<>();
    /** When each pid was first seen (ms of the sampler's clock), by pid. */
    private Map<Integer, Long> firstSeen = new HashMap<>();
    /** Per member (process key): what was last read of its status, PSS and command line. */
    private Map<Long, Seen> seen = new HashMap<>();
    /** PSS walks the process's page tables: read it for a member at most this often. */
    static final long PSS_EVERY_MS = 30_000;
    /** Top-processes commands are cut to this length (after redaction). */
    static final int MAX_COMMAND_CHARS = 256;
    private final CommandLineRedactor redactor;

    /** A member's readings that are re-read only when they may have changed. */
    private static final class Seen {
        long rssPages = -1;
        long selfTicks = -1;
        ProcStatus status;
        long pss = -1;
        long pssReadMs;
        String comm;
        String command;
    }
    private long lastFullScanMs = Long.MIN_VALUE;
    private long statReads;
    private final HostSignalReader hostReader;
    private final CgroupReader cgroups;
    /** Fork and exit events of the whole host, or null where the kernel's connector cannot be listened to. */
    private final ProcEvents events;
    private long eventCursor;
    private long eventOverflows;
    /** Events of the recent past (about the last few seconds on a busy host), for units recognised late. */
    private final java.util.ArrayDeque<ProcEvents.Event> recentEvents = new java.util.ArrayDeque<>();
    static final int RECENT_EVENTS = 20_000;
    private HostSample hostBase;
    private final List<HostSample> hostPending = new ArrayList<>();

    Sampler(ProcReader proc, TaskDetector detector) {
        this.proc = proc;
        this.detector = detector;
        this.hostReader = new HostSignalReader(proc);
        this.cgroups = CgroupReader.ofHost(proc.root());
        this.events = ProcEvents.shared();
        this.eventCursor = events == null ? 0 : events.head();
        this.redactor = detector.redactor();
    }

    /** argv0's base name and the redacted arguments, cut: what a user recognises, with no secret and no path. */
    private String commandOf(int pid, String comm) {
        String cmd = proc.cmdline(pid);
        if (cmd == null || cmd.isEmpty()) {
            return comm;
        }
        String redacted = redactor.redact(cmd).replace('\n', ' ');
        int space = redacted.indexOf(' ');
        String argv0 = space < 0 ? redacted : redacted.substring(0, space);
        String shown = argv0.substring(argv0.lastIndexOf('/') + 1) + (space < 0 ? "" : redacted.substring(space));
        return shown.length() > MAX_COMMAND_CHARS ? shown.substring(0, MAX_COMMAND_CHARS - 1) + "…" : shown;
    }

    synchronized void scan(long nowMs) {
        boolean full = lastFullScanMs == Long.MIN_VALUE || nowMs - lastFullScanMs >= FULL_SCAN_MS
                || nowMs < lastFullScanMs;
        if (full) {
            lastFullScanMs = nowMs;
        }
        Set<Integer> members = new HashSet<>();
        for (TreeTracker u : units.values()) {
            u.memberPids(members);
        }
        int[] pids = proc.pids();
        Map<Integer, ProcStat> stats = new HashMap<>(pids.length * 2);
        Map<Integer, Long> seenAt = new HashMap<>(pids.length * 2);
        Set<Integer> fresh = new HashSet<>();
        for (int pid : pids) {
            ProcStat old = known.get(pid);
            Long first = firstSeen.get(pid);
            long since = first == null || old == null ? nowMs : first;
            boolean young = nowMs - since < TaskDetector.TITLE_RECHECK_MS;
            ProcStat s = old;
            if (full || old == null || young || members.contains(pid)) {
                s = proc.stat(pid);
                statReads++;
                fresh.add(pid);
                if (s != null && old != null && s.startTicks() != old.startTicks()) {
                    since = nowMs; // the pid was reused
                }
            }
            if (s != null) {
                stats.put(pid, s);
                seenAt.put(pid, since);
            }
        }
        known = stats;
        firstSeen = seenAt;
        Map<Long, TreeTracker> owner = detector.assign(stats, units, nowMs);
        Map<TreeTracker, Map<Long, TreeTracker.Member>> byUnit = new HashMap<>();
        Map<Long, Seen> seenNow = new HashMap<>();
        for (Map.Entry<Long, TreeTracker> e : owner.entrySet()) {
            int pid = (int) (e.getKey() >>> 40);
            ProcStat s = stats.get(pid);
            if (s == null || s.key() != e.getKey()) {
                continue;
            }
            if (!fresh.contains(pid)) {
                // an old process that just became a member (its ancestor was recognised): read it now
                ProcStat now = proc.stat(pid);
                statReads++;
                if (now == null || now.key() != s.key()) {
                    continue;
                }
                s = now;
                stats.put(pid, s);
            }
            Seen c = seen.get(s.key());
            boolean first = c == null;
            if (first) {
                c = new Seen();
            }
            // status changes only when the process ran or its resident set moved; a full scan catches the rest
            if (first || full || s.rssPages() != c.rssPages || s.selfTicks() != c.selfTicks) {
                ProcStatus st = proc.status(pid);
                if (st != null) {
                    c.status = st;
                }
                c.rssPages = s.rssPages();
                c.selfTicks = s.selfTicks();
            }
            // not at first sight: most processes seen once are short-lived helpers, and smaps_rollup walks every
            // mapping of the process
            if (!first && (c.pssReadMs == 0 || nowMs - c.pssReadMs >= PSS_EVERY_MS || nowMs < c.pssReadMs)) {
                c.pss = proc.pssBytes(pid);
                c.pssReadMs = nowMs;
            }
            if (!s.comm().equals(c.comm)) {
                c.comm = s.comm(); // a new comm means an exec: the command changed too
                c.command = commandOf(pid, s.comm());
            }
            seenNow.put(s.key(), c);
            ProcStatus st = c.status;
            long hwmBytes = st == null ? 0 : st.hwmBytes();
            byUnit.computeIfAbsent(e.getValue(), u -> new HashMap<>()).put(s.key(),
                    new TreeTracker.Member(s, proc.io(pid), Math.max(hwmBytes, s.rssPages() * proc.pageSize()),
                            st == null ? 0 : st.voluntarySwitches(), st == null ? 0 : st.involuntarySwitches(),
                            c.pss >= 0 ? c.pss : null, c.command));
        }
        seen = seenNow;
        countForks(byUnit);
        for (var it = units.values().iterator(); it.hasNext(); ) {
            TreeTracker u = it.next();
            Map<Long, TreeTracker.Member> m = byUnit.getOrDefault(u, Map.of());
            TreeTracker.Member root = m.get(u.rootKey);
            boolean zombie = root != null && (root.stat().state() == 'Z' || root.stat().state() == 'X');
            trackCgroup(u, root);
            if (zombie) {
                u.update(nowMs, m); // exited, not yet reaped: its counters are final and complete
            }
            if (root == null || zombie) {
                if (!u.sampled()) {
                    it.remove(); // vanished before its first sample: nothing to report
                    continue;
                }
                u.end(nowMs);
                ended.add(u);
                it.remove();
                LOG.info(() -> "unit " + u.unitId + " ended");
                continue;
            }
            u.update(nowMs, m);
        }
        sampleHost(nowMs);
    }

    /**
     * Hands each unit the forks its processes made since the last scan, so subprocesses that lived and died between
     * two scans are counted exactly. A unit new in this scan also gets the forks of the recent past: its root was
     * recognised only now, but its first children may have come and gone already.
     */
    private void countForks(Map<TreeTracker, Map<Long, TreeTracker.Member>> byUnit) {
        if (events == null) {
            return;
        }
        List<ProcEvents.Event> fresh = new ArrayList<>();
        boolean[] lost = new boolean[1];
        eventCursor = events.read(eventCursor, fresh::add, lost);
        if (lost[0] || events.overflows() != eventOverflows) {
            eventOverflows = events.overflows();
            LOG.warning("the kernel's process events came faster than they were read: some subprocesses of this "
                    + "interval are missing from the count");
        }
        recentEvents.addAll(fresh);
        while (recentEvents.size() > RECENT_EVENTS) {
            recentEvents.removeFirst();
        }
        // One pass over the events for all units: which unit each forking pid belongs to.
        Map<Integer, TreeTracker> treeOf = new HashMap<>();
        for (TreeTracker u : units.values()) {
            if (!u.sampled()) {
                u.countForks();
                Map<Integer, TreeTracker> own = new HashMap<>();
                pidsOf(u, byUnit, own);
                // recognised only now: its first children may be gone already (the replay ends with this scan's)
                apply(sinceBirth(u.rootPid), own);
            } else {
                pidsOf(u, byUnit, treeOf);
            }
        }
        apply(fresh, treeOf);
    }

    private static void pidsOf(TreeTracker u, Map<TreeTracker, Map<Long, TreeTracker.Member>> byUnit,
                               Map<Integer, TreeTracker> into) {
        Set<Integer> pids = new HashSet<>();
        u.forkingPids(pids);
        for (TreeTracker.Member m : byUnit.getOrDefault(u, Map.of()).values()) {
            pids.add(m.stat().pid());
        }
        for (Integer pid : pids) {
            into.put(pid, u);
        }
    }

    private static void apply(Iterable<ProcEvents.Event> events, Map<Integer, TreeTracker> treeOf) {
        for (ProcEvents.Event e : events) {
            if (e.kind() == ProcEvents.FORK) {
                TreeTracker u = treeOf.get(e.parentPid());
                if (u != null) {
                    u.forked(e.pid());
                    treeOf.put(e.pid(), u);
                }
            } else {
                TreeTracker u = treeOf.remove(e.pid());
                if (u != null) {
                    u.exited(e.pid());
                }
            }
        }
    }

    /**
     * The recent events from the root's own fork on, searched from the newest (a unit is usually recognised within
     * a scan or two of its birth). Earlier events may name a previous process with the same pid, whose children are
     * not this tree's; a root whose fork is no longer held (it predates the shipper) gets none: it is partial anyway.
     */
    private List<ProcEvents.Event> sinceBirth(int rootPid) {
        java.util.ArrayDeque<ProcEvents.Event> out = new java.util.ArrayDeque<>();
        for (var it = recentEvents.descendingIterator(); it.hasNext(); ) {
            ProcEvents.Event e = it.next();
            if (e.kind() == ProcEvents.FORK && e.pid() == rootPid) {
                return List.copyOf(out);
            }
            out.addFirst(e);
        }
        return List.of();
    }

    /**
     * A unit is its cgroup when its root runs in another cgroup v2 than the root's parent: a container, a pod, a
     * {@code systemd-run --scope}. A task forked by a worker shares the worker's cgroup, whose counters would
     * count the worker and its other tasks too, so it gets none. Two small reads per unit and scan; seven more
     * for a unit that is a cgroup.
     */
    private void trackCgroup(TreeTracker u, TreeTracker.Member root) {
        if (!cgroups.available() || root == null) {
            return;
        }
        String path = proc.cgroupV2(u.rootPid);
        if (path == null) {
            return; // gone since its stat was read: the last counters stand
        }
        if (!path.equals(u.cgroup())) {
            String parent = proc.cgroupV2(root.stat().ppid());
            if ("/".equals(path) || parent == null || path.equals(parent)) {
                u.cgroup(null, null);
                return;
            }
        }
        u.cgroup(path, cgroups.sample(path));
    }

    /** The host's signals at the same instant as the units, so a batch can match contention to each interval. */
    private void sampleHost(long nowMs) {
        try {
            hostPending.add(hostReader.sample(nowMs));
        } catch (RuntimeException e) {
            // a kernel whose files read differently: units still count, this instant only lacks host context
            LOG.warning(() -> "cannot read host signals: " + e);
        }
    }

    /** The host's samples since the last cut, with the sample before them as base; the next cut starts at the last. */
    synchronized HostSeries cutHost() {
        HostSeries out = new HostSeries("host", hostBase, List.copyOf(hostPending));
        if (!hostPending.isEmpty()) {
            hostBase = hostPending.get(hostPending.size() - 1);
        }
        hostPending.clear();
        return out;
    }

    /** How many /proc/PID/stat files were read so far (for tests and the benchmark's explanation). */
    synchronized long statReads() {
        return statReads;
    }

    /** Every unit's samples since the last cut: live ones, then those that ended (handed out once, then forgotten). */
    synchronized List<UnitSeries> cut() {
        List<UnitSeries> out = new ArrayList<>();
        for (TreeTracker u : units.values()) {
            if (u.sampled()) {
                out.add(series(u));
            }
        }
        for (TreeTracker u : ended) {
            out.add(series(u));
        }
        ended.clear();
        return out;
    }

    synchronized int liveUnits() {
        return units.size();
    }

    private static UnitSeries series(TreeTracker u) {
        TreeTracker.Cut c = u.cut();
        var r = u.recognition();
        return new UnitSeries(u.unitId, u.rootPid, u.rootStartTicks, u.startedMs, u.endedMs(), r.kind(), r.how(),
                r.tags(), u.command, c.base(), c.samples(), u.partial, u.cgroup(), u.topProcesses());
    }
}

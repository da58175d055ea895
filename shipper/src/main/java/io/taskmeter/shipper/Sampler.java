package io.taskmeter.shipper;

import io.taskmeter.core.batch.HostSample;
import io.taskmeter.core.batch.HostSeries;
import io.taskmeter.core.batch.UnitSeries;

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
 * assigns processes to units by parent links; io and peak memory are read for unit members only, and
 * /proc/PID/status (VmHWM) only when a member is new, its resident set changed since the last read (a drop can
 * follow a peak between two samples), or at a full scan. A new process is therefore seen at the first scan after it appears, as before. Scans and cuts are
 * serialised on this object, so {@link #scan} may be called from any thread.
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
    /** Per member (process key): resident pages at the last read of VmHWM, and that VmHWM in bytes. */
    private Map<Long, long[]> hwm = new HashMap<>();
    private long lastFullScanMs = Long.MIN_VALUE;
    private long statReads;
    private final HostSignalReader hostReader;
    private HostSample hostBase;
    private final List<HostSample> hostPending = new ArrayList<>();

    Sampler(ProcReader proc, TaskDetector detector) {
        this.proc = proc;
        this.detector = detector;
        this.hostReader = new HostSignalReader(proc);
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
        Map<Long, long[]> hwmNow = new HashMap<>();
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
            long[] h = hwm.get(s.key());
            if (h == null || full || s.rssPages() != h[0]) {
                h = new long[] {s.rssPages(), proc.peakRssBytes(pid)};
            }
            hwmNow.put(s.key(), h);
            byUnit.computeIfAbsent(e.getValue(), u -> new HashMap<>()).put(s.key(),
                    new TreeTracker.Member(s, proc.io(pid), Math.max(h[1], s.rssPages() * proc.pageSize())));
        }
        hwm = hwmNow;
        for (var it = units.values().iterator(); it.hasNext(); ) {
            TreeTracker u = it.next();
            Map<Long, TreeTracker.Member> m = byUnit.getOrDefault(u, Map.of());
            TreeTracker.Member root = m.get(u.rootKey);
            boolean zombie = root != null && (root.stat().state() == 'Z' || root.stat().state() == 'X');
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
                r.tags(), u.command, c.base(), c.samples(), u.partial);
    }
}

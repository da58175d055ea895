package io.taskmeter.shipper;

import io.taskmeter.core.batch.UnitSeries;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * One scan of the process table: reads the stat of every pid, lets the {@link TaskDetector} assign processes to
 * units, reads io and peak memory of unit members only, and appends a sample to every live unit. Scans and cuts
 * are serialised on this object, so {@link #scan} may be called from any thread.
 */
final class Sampler {
    private static final Logger LOG = Logger.getLogger(Sampler.class.getName());
    private final ProcReader proc;
    private final TaskDetector detector;
    private final Map<Long, TreeTracker> units = new LinkedHashMap<>();
    private final List<TreeTracker> ended = new ArrayList<>();

    Sampler(ProcReader proc, TaskDetector detector) {
        this.proc = proc;
        this.detector = detector;
    }

    synchronized void scan(long nowMs) {
        Map<Integer, ProcStat> stats = new HashMap<>();
        for (int pid : proc.pids()) {
            ProcStat s = proc.stat(pid);
            if (s != null) {
                stats.put(pid, s);
            }
        }
        Map<Long, TreeTracker> owner = detector.assign(stats, units, nowMs);
        Map<TreeTracker, Map<Long, TreeTracker.Member>> members = new HashMap<>();
        for (ProcStat s : stats.values()) {
            TreeTracker unit = owner.get(s.key());
            if (unit != null) {
                members.computeIfAbsent(unit, u -> new HashMap<>()).put(s.key(),
                        new TreeTracker.Member(s, proc.io(s.pid()), proc.peakRssBytes(s.pid())));
            }
        }
        for (var it = units.values().iterator(); it.hasNext(); ) {
            TreeTracker u = it.next();
            Map<Long, TreeTracker.Member> m = members.getOrDefault(u, Map.of());
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

package io.taskmeter.shipper;

import io.taskmeter.core.identity.CommandLineRedactor;
import io.taskmeter.core.identity.Recognition;
import io.taskmeter.core.identity.TaskRecognizer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One scan of the process table: recognises new task processes, assigns every process to the unit of its
 * nearest recognised ancestor (by parent links, never by process group or session), and samples every unit.
 */
final class Sampler {
    private final ProcReader proc;
    private final CommandLineRedactor redactor;
    private final String bootId;
    private final long bootTimeMs;
    private final long ticksPerSecond;
    private final long pageSize;
    private final long startedMs;
    /** Recognition of each process seen, by (pid, start ticks); empty for ordinary processes. */
    private final Map<Long, Optional<Recognition>> recognized = new HashMap<>();
    private final Map<Long, UnitTracker> units = new LinkedHashMap<>();
    private final List<UnitTracker> ended = new ArrayList<>();

    Sampler(ProcReader proc, CommandLineRedactor redactor, long ticksPerSecond, long pageSize, long nowMs) {
        this.proc = proc;
        this.redactor = redactor;
        this.bootId = proc.bootId();
        this.bootTimeMs = proc.bootTimeMs();
        this.ticksPerSecond = ticksPerSecond;
        this.pageSize = pageSize;
        this.startedMs = nowMs;
    }

    String bootId() {
        return bootId;
    }

    synchronized void scan(long nowMs) {
        Map<Integer, ProcStat> stats = new HashMap<>();
        for (int pid : proc.pids()) {
            ProcStat s = proc.stat(pid);
            if (s != null) {
                stats.put(pid, s);
            }
        }
        Map<Long, UnitTracker> owner = new HashMap<>();
        Map<Long, Map<Long, UnitTracker.Member>> members = new HashMap<>();
        Map<Long, Long> hwm = new HashMap<>();
        for (ProcStat s : stats.values()) {
            UnitTracker unit = unitOf(s, stats, owner, nowMs, 0);
            if (unit != null) {
                long key = UnitTracker.key(s.pid(), s.startTicks());
                long unitKey = UnitTracker.key(unit.rootPid, unit.rootStartTicks);
                members.computeIfAbsent(unitKey, k -> new HashMap<>()).put(key,
                        new UnitTracker.Member(s, proc.io(s.pid())));
                hwm.merge(unitKey, proc.peakRssBytes(s.pid()), Math::max);
            }
        }
        for (var it = units.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            UnitTracker u = e.getValue();
            Map<Long, UnitTracker.Member> m = members.get(e.getKey());
            if (m == null || !m.containsKey(e.getKey())) {
                // The root is gone: its last sample stands as the final one.
                u.endedMs = nowMs;
                ended.add(u);
                it.remove();
                continue;
            }
            u.sample(nowMs, m, hwm.getOrDefault(e.getKey(), 0L), ticksPerSecond, pageSize);
        }
        // Forget processes that are gone, so the cache does not grow with every short-lived process.
        recognized.keySet().removeIf(k -> {
            ProcStat s = stats.get((int) (k >>> 40));
            return s == null || UnitTracker.key(s.pid(), s.startTicks()) != k;
        });
    }

    /** The unit a process belongs to, creating one when the process is a recognised root; null for none. */
    private UnitTracker unitOf(ProcStat s, Map<Integer, ProcStat> stats, Map<Long, UnitTracker> owner, long nowMs,
                               int depth) {
        long key = UnitTracker.key(s.pid(), s.startTicks());
        if (owner.containsKey(key)) {
            return owner.get(key);
        }
        UnitTracker parentUnit = null;
        ProcStat parent = stats.get(s.ppid());
        if (parent != null && s.ppid() != s.pid() && depth < 512) {
            parentUnit = unitOf(parent, stats, owner, nowMs, depth + 1);
        }
        Optional<Recognition> mine = recognized.computeIfAbsent(key, k -> recognize(s.pid()));
        UnitTracker result = parentUnit;
        if (mine.isPresent()) {
            Recognition r = mine.get();
            if (parentUnit != null && parentUnit.recognition.agreesWith(r)) {
                parentUnit.recognition = parentUnit.recognition.enrichedWith(r);
            } else {
                result = units.get(key);
                if (result == null) {
                    result = newUnit(s, r, nowMs);
                    units.put(key, result);
                } else if (!result.recognition.equals(r) && result.recognition.agreesWith(r)) {
                    result.recognition = result.recognition.enrichedWith(r);
                }
            }
        }
        owner.put(key, result);
        return result;
    }

    private Optional<Recognition> recognize(int pid) {
        String cmd = proc.cmdline(pid);
        if (cmd == null || cmd.isEmpty()) {
            return Optional.empty(); // kernel thread or gone
        }
        Optional<Recognition> byTitle = TaskRecognizer.fromTitle(cmd);
        Optional<Recognition> byEnv = TaskRecognizer.fromEnv(proc.allowListedEnv(pid));
        if (byTitle.isPresent() && byEnv.isPresent() && byTitle.get().agreesWith(byEnv.get())) {
            return Optional.of(byTitle.get().enrichedWith(byEnv.get()));
        }
        return byTitle.isPresent() ? byTitle : byEnv;
    }

    private UnitTracker newUnit(ProcStat s, Recognition r, long nowMs) {
        long startMs = bootTimeMs + s.startTicks() * 1000 / ticksPerSecond;
        String cmd = proc.cmdline(s.pid());
        // Started before this shipper (minus a scan of slack): its earlier usage was never observed.
        boolean partial = startMs < startedMs - 2000;
        return new UnitTracker(bootId + "/" + s.pid() + "/" + s.startTicks(), s.pid(), s.startTicks(), startMs,
                cmd == null ? null : redactor.redact(cmd), r, partial, nowMs);
    }

    synchronized List<UnitTracker> live() {
        return new ArrayList<>(units.values());
    }

    /** Units whose root ended since the last call; each is handed out once. */
    synchronized List<UnitTracker> drainEnded() {
        List<UnitTracker> out = new ArrayList<>(ended);
        ended.clear();
        return out;
    }
}

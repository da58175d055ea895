package io.taskmeter.shipper;

import io.taskmeter.core.identity.CommandLineRedactor;
import io.taskmeter.core.identity.Recognition;
import io.taskmeter.core.identity.TaskRecognizer;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Logger;

/**
 * Recognises task processes and assigns every process to its execution unit: the tree rooted at the nearest
 * recognised ancestor, followed by parent links (never process group or session: Airflow runs bash under setsid).
 * A descendant whose identity agrees with its unit enriches it; one with a conflicting identity roots a new unit.
 * Title and environment are read once per process (pid + start ticks), again only after an exec (its command
 * name changes); the title of a young unrecognised process is re-read for a few seconds, since tasks set their
 * title (setproctitle, exec -a) just after they start. Not thread-safe: the {@link Sampler} owns it.
 */
final class TaskDetector {
    private static final Logger LOG = Logger.getLogger(TaskDetector.class.getName());
    /** How long after first sight an unrecognised process's title is looked at again. */
    static final long TITLE_RECHECK_MS = 3000;

    private final ProcReader proc;
    private final EnvironReader environ;
    private final CommandLineRedactor redactor;
    private final String bootId;
    private final long bootTimeMs;
    private final long shipperStartMs;
    private final Map<Long, Seen> seen = new HashMap<>();
    /** Unit of each process at the previous scan: an orphan re-parented outside the tree stays in its unit. */
    private Map<Long, TreeTracker> previousOwner = new HashMap<>();

    private static final class Seen {
        String comm;
        Optional<Recognition> recognition;
        final long firstSeenMs;

        Seen(String comm, Optional<Recognition> recognition, long firstSeenMs) {
            this.comm = comm;
            this.recognition = recognition;
            this.firstSeenMs = firstSeenMs;
        }
    }

    /** The host's redaction rules, for every command line that leaves the host. */
    CommandLineRedactor redactor() {
        return redactor;
    }

    TaskDetector(ProcReader proc, EnvironReader environ, CommandLineRedactor redactor, long shipperStartMs) {
        this.proc = proc;
        this.environ = environ;
        this.redactor = redactor;
        this.bootId = proc.bootId();
        this.bootTimeMs = proc.bootTimeMs();
        this.shipperStartMs = shipperStartMs;
    }

    String bootId() {
        return bootId;
    }

    /**
     * Assigns every process of this scan to a unit (or none), creating units for newly recognised roots in
     * {@code units} (keyed by root process key).
     *
     * @return the unit of each process that has one, by process key
     */
    Map<Long, TreeTracker> assign(Map<Integer, ProcStat> stats, Map<Long, TreeTracker> units, long nowMs) {
        Map<Long, TreeTracker> owner = new HashMap<>();
        Set<Long> done = new java.util.HashSet<>();
        for (ProcStat s : stats.values()) {
            unitOf(s, stats, units, owner, done, nowMs, 0);
        }
        seen.keySet().removeIf(k -> !done.contains(k));
        previousOwner = owner;
        return owner;
    }

    private TreeTracker unitOf(ProcStat s, Map<Integer, ProcStat> stats, Map<Long, TreeTracker> units,
                               Map<Long, TreeTracker> owner, Set<Long> done, long nowMs, int depth) {
        long key = s.key();
        if (done.contains(key)) {
            return owner.get(key);
        }
        done.add(key); // before recursing: a parent-link cycle (pid reuse) must end
        TreeTracker parentUnit = null;
        ProcStat parent = stats.get(s.ppid());
        if (parent != null && s.ppid() != s.pid() && parent.startTicks() <= s.startTicks() && depth < 512) {
            parentUnit = unitOf(parent, stats, units, owner, done, nowMs, depth + 1);
        }
        if (parentUnit == null) {
            TreeTracker before = previousOwner.get(key);
            if (before != null && units.get(before.rootKey) == before && before.rootKey != key) {
                parentUnit = before; // orphaned: re-parented to init or a subreaper, still the task's work
            }
        }
        Optional<Recognition> mine = recognition(s, nowMs);
        TreeTracker result = parentUnit;
        TreeTracker rooted = units.get(key);
        if (rooted != null) {
            result = rooted;
            mine.filter(r -> rooted.recognition().agreesWith(r)).ifPresent(rooted::enrich);
        } else if (mine.isPresent() && s.state() != 'Z' && s.state() != 'X') {
            // (a zombie root's unit has just ended: it must not start again under the same id)
            Recognition r = mine.get();
            if (parentUnit != null && parentUnit.recognition().agreesWith(r)) {
                parentUnit.enrich(r);
            } else {
                result = newUnit(s, r);
                units.put(key, result);
            }
        }
        if (result != null) {
            owner.put(key, result);
        }
        return result;
    }

    private Optional<Recognition> recognition(ProcStat s, long nowMs) {
        Seen known = seen.get(s.key());
        if (known == null) {
            known = new Seen(s.comm(), detect(s.pid(), true), nowMs);
            seen.put(s.key(), known);
        } else if (!known.comm.equals(s.comm())) {
            known.comm = s.comm(); // exec: new title, new environment
            known.recognition = detect(s.pid(), true);
        } else if (known.recognition.isEmpty() && nowMs - known.firstSeenMs < TITLE_RECHECK_MS) {
            known.recognition = detect(s.pid(), false);
        }
        return known.recognition;
    }

    private Optional<Recognition> detect(int pid, boolean readEnv) {
        String cmd = proc.cmdline(pid);
        if (cmd == null || cmd.isEmpty()) {
            return Optional.empty(); // kernel thread, zombie or gone
        }
        Optional<Recognition> byTitle = TaskRecognizer.fromTitle(cmd);
        Optional<Recognition> byEnv = readEnv ? TaskRecognizer.fromEnv(environ.read(pid)) : Optional.empty();
        if (byTitle.isPresent() && byEnv.isPresent() && byTitle.get().agreesWith(byEnv.get())) {
            return Optional.of(byTitle.get().enrichedWith(byEnv.get()));
        }
        return byTitle.isPresent() ? byTitle : byEnv;
    }

    private TreeTracker newUnit(ProcStat s, Recognition r) {
        long startMs = proc.startMs(bootTimeMs, s.startTicks());
        String cmd = proc.cmdline(s.pid());
        // btime has whole seconds: a root started just after the shipper may compute up to 1 s earlier.
        boolean partial = startMs < shipperStartMs - 1000;
        TreeTracker t = new TreeTracker(bootId + "/" + s.pid() + "/" + s.startTicks(), s.pid(), s.startTicks(),
                startMs, cmd == null ? null : redactor.redact(cmd), r, partial, proc.hz(), proc.pageSize());
        LOG.info(() -> "new unit " + t.unitId + " kind " + r.kind() + " by " + r.how() + (partial ? " (partial)" : ""));
        return t;
    }
}

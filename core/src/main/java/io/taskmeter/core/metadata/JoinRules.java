package io.taskmeter.core.metadata;

import io.taskmeter.core.attribution.AttemptIdentity;
import io.taskmeter.core.identity.Tags;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Which attempt a metadata record is about (DESIGN §4), pure. Two kinds of rule:
 * <ol>
 *   <li><b>Direct</b>: the record names an attempt the way the host names it, so its attempt id is the one
 *       {@link AttemptIdentity} gives the host's unit. Airflow 3: the TaskInstance {@code id} (the host reads it
 *       from {@code airflow worker -- <id>}); Airflow 2: {@code dag_id} + {@code job_id} when the record has a
 *       job id, and the full identity (DAG, run, task, map index, try) when it has a try; Prefect: the flow run
 *       id (task runs belong to their flow run's attempt).</li>
 *   <li><b>Joined</b>: units the host named differently (Airflow 2 units keyed by the runner's job id, which the
 *       stable REST API does not report; tries the host could not number) or not at all are matched on the
 *       worker host, the pid (the root's, or in the task's own PID namespace), the natural key
 *       (DAG, run, task, map index) and the start time. See {@link #match}.</li>
 * </ol>
 */
public final class JoinRules {
    /** A unit may start this long before the orchestrator's start (Airflow parses the DAG file first). */
    public static final long EARLY_MS = 5 * 60_000L;
    /** … and this long after it (clock skew between the worker and the orchestrator's database). */
    public static final long LATE_MS = 60_000L;

    private JoinRules() {
    }

    /** An attempt a record names directly, and by which rule. */
    public record Direct(String attemptId, String rule, double confidence) {
    }

    /** The attempts this record names directly; empty for run-level records (DAG runs). */
    public static List<Direct> direct(MetadataRecord r) {
        List<Direct> out = new ArrayList<>();
        if ("airflow".equals(r.source()) && MetadataRecord.TASK_INSTANCE.equals(r.type())) {
            if (r.id() != null) {
                out.add(new Direct(id(Tags.KIND_AIRFLOW, "ti\n" + r.id()), "ti_id", 1.0));
            }
            if (r.jobId() != null) {
                out.add(new Direct(id(Tags.KIND_AIRFLOW, "job\n" + r.dagOrFlow() + "\n" + r.jobId()), "job_id", 1.0));
            }
            if (r.tryNumber() != null && r.run() != null) {
                out.add(new Direct(id(Tags.KIND_AIRFLOW, r.dagOrFlow() + "\n" + r.run() + "\n" + r.task() + "\n"
                        + mapIndex(r) + "\n" + r.tryNumber()), "dag+run+task+map+try", 0.95));
            }
        } else if ("prefect".equals(r.source())) {
            String flowRun = MetadataRecord.FLOW_RUN.equals(r.type()) ? r.id() : r.run();
            if (flowRun != null && (MetadataRecord.FLOW_RUN.equals(r.type()) || MetadataRecord.TASK_RUN.equals(r.type()))) {
                out.add(new Direct(id(Tags.KIND_PREFECT, "flow_run\n" + flowRun), "flow_run_id", 1.0));
            }
        }
        return out;
    }

    /**
     * The key under which units and records of one Airflow task instance (all its tries) meet: DAG, run, task,
     * map index. Null when a part is unknown.
     */
    public static String naturalKey(String dag, String run, String task, int mapIndex) {
        if (dag == null || run == null || task == null) {
            return null;
        }
        return "airflow\n" + dag + "\n" + run + "\n" + task + "\n" + mapIndex;
    }

    public static String naturalKey(MetadataRecord r) {
        return MetadataRecord.TASK_INSTANCE.equals(r.type()) && "airflow".equals(r.source())
                ? naturalKey(r.dagOrFlow(), r.run(), r.task(), mapIndex(r)) : null;
    }

    /** A host unit's natural key, from its tags; null for units that are not Airflow or lack a part. */
    public static String naturalKey(String kind, Map<String, String> tags) {
        if (!Tags.KIND_AIRFLOW.equals(kind)) {
            return null;
        }
        int map;
        try {
            map = Integer.parseInt(tags.getOrDefault(Tags.MAP_INDEX, "-1").strip());
        } catch (NumberFormatException e) {
            map = -1;
        }
        return naturalKey(tags.get(Tags.DAG_ID), tags.get(Tags.RUN_ID), tags.get(Tags.TASK_ID), map);
    }

    /**
     * Where the record says its process ran: Airflow's hostname and pid, or a Prefect process
     * {@code infrastructure_pid} ({@code <host>:<pid>}). Null when it does not say both.
     */
    public static HostPid hostPid(MetadataRecord r) {
        if (r.hostname() == null || r.pid() == null) {
            return null;
        }
        return new HostPid(shortHost(r.hostname()), r.pid());
    }

    public record HostPid(String host, int pid) {
    }

    /**
     * A host's name as both sides can agree on it: the first DNS label, lower case, sanitised like a shipper's
     * host id ({@code ip-10-0-1-5.ec2.internal} and {@code IP-10-0-1-5} are the same host).
     */
    public static String shortHost(String host) {
        if (host == null || host.isBlank()) {
            return null;
        }
        String h = host.strip().toLowerCase(Locale.ROOT);
        int dot = h.indexOf('.');
        if (dot > 0 && !h.matches("\\d+\\.\\d+\\.\\d+\\.\\d+")) {
            h = h.substring(0, dot);
        }
        return h.replaceAll("[^a-z0-9._-]", "-");
    }

    /**
     * A unit the host shipped, as the join sees it.
     *
     * @param hostId    the shipper's host id
     * @param rootPid   the unit's root pid (host PID namespace)
     * @param nsPid     the root's pid in its own namespace, when the host reported one (null otherwise)
     * @param tryNumber the try the host knows, or null
     */
    public record UnitCandidate(String unitId, String attemptId, String hostId, int rootPid, Integer nsPid,
                                long startedMs, String tryNumber) {
    }

    /** A unit matched to a record: how, and how sure. */
    public record Match(UnitCandidate unit, String how, double confidence) {
    }

    /**
     * The unit among {@code candidates} that the record describes, or none. Candidates come from the unit
     * index: those sharing the record's natural key ({@code byNaturalKey}) or its host and pid. A candidate
     * must have started within [start − {@link #EARLY_MS}, start + {@link #LATE_MS}] of the record (tries of
     * one task instance are apart in time, so this tells them apart); must not know a different try; and, when
     * both sides name a host, must be on the same host. The closest start wins.
     * <ul>
     *   <li>natural key + same host + pid: 0.95 ({@code metadata:key+host+pid+start})</li>
     *   <li>natural key + same host: 0.9 ({@code metadata:key+host+start})</li>
     *   <li>natural key, no host to compare: 0.75 ({@code metadata:key+start})</li>
     *   <li>host + pid only (the unit had no natural key): 0.85 ({@code metadata:host+pid+start})</li>
     * </ul>
     */
    public static Optional<Match> match(MetadataRecord r, List<UnitCandidate> candidates, boolean byNaturalKey) {
        if (r.startMs() == null) {
            return Optional.empty();
        }
        String host = shortHost(r.hostname());
        Match best = null;
        long bestGap = Long.MAX_VALUE;
        for (UnitCandidate c : candidates) {
            long gap = r.startMs() - c.startedMs();
            if (gap > EARLY_MS || gap < -LATE_MS) {
                continue;
            }
            if (c.tryNumber() != null && r.tryNumber() != null && !c.tryNumber().equals(r.tryNumber().toString())) {
                continue;
            }
            String unitHost = shortHost(c.hostId());
            boolean hostKnown = host != null && unitHost != null;
            if (hostKnown && !host.equals(unitHost)) {
                continue;
            }
            boolean pidMatch = r.pid() != null && (r.pid() == c.rootPid() || r.pid().equals(c.nsPid()));
            Match m;
            if (byNaturalKey) {
                m = hostKnown && pidMatch ? new Match(c, "metadata:key+host+pid+start", 0.95)
                        : hostKnown ? new Match(c, "metadata:key+host+start", 0.9)
                        : new Match(c, "metadata:key+start", 0.75);
            } else {
                if (!hostKnown || !pidMatch) {
                    continue;
                }
                m = new Match(c, "metadata:host+pid+start", 0.85);
            }
            long abs = Math.abs(gap);
            if (best == null || m.confidence() > best.confidence()
                    || m.confidence() == best.confidence() && abs < bestGap) {
                best = m;
                bestGap = abs;
            }
        }
        return Optional.ofNullable(best);
    }

    static int mapIndex(MetadataRecord r) {
        return r.mapIndex() == null ? -1 : r.mapIndex();
    }

    /** The attempt id {@link AttemptIdentity} gives a unit with this stable key. */
    public static String id(String orchestrator, String stableKey) {
        return new AttemptIdentity(orchestrator, null, null, null, null, -1, stableKey, "metadata", 1.0).attemptId();
    }
}

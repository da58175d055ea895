package io.taskmeter.core.attribution;

import io.taskmeter.core.identity.Tags;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;

/**
 * Which attempt of which task a unit's usage belongs to: DAG/flow, task, run and try, and how we know.
 * Fields a unit does not know yet are null; tags only grow richer over a unit's life, so the attempt id is taken
 * from what is known from the first sample on ({@code stableKey}), and the rest is filled in as it arrives.
 *
 * @param orchestrator "airflow", "prefect" or "generic"
 * @param group        DAG id (Airflow), flow name (Prefect) or TASKMETER_FLOW (generic)
 * @param task         task id (Airflow), {@link #WHOLE_FLOW_RUN} (Prefect, until task runs are split out) or
 *                     TASKMETER_TASK
 * @param run          DAG run id, flow run id or TASKMETER_RUN
 * @param tryNumber    the orchestrator's try number when known
 * @param mapIndex     Airflow dynamic task mapping index, -1 when not mapped
 * @param stableKey    what names this attempt from its first sample: Airflow 3 TaskInstance id, Airflow 2 job
 *                     id, Prefect flow run id, or the full identity
 * @param how          how the unit was recognised ("title", "env", "title+env", ...)
 * @param confidence   0..1: how sure the attribution is
 */
public record AttemptIdentity(String orchestrator, String group, String task, String run, String tryNumber,
                              int mapIndex, String stableKey, String how, double confidence) {

    /** Prefect usage attributed to the flow run as a whole, before task runs are split out. */
    public static final String WHOLE_FLOW_RUN = "(flow run)";

    /** Stable across hosts, batches and deliveries: the same attempt always gives the same id. */
    public String attemptId() {
        return hash(orchestrator + "\n" + stableKey);
    }

    /**
     * Task identity for rightsizing across runs: Airflow dag_id/task_id (map index folded), Prefect flow/task.
     * Readable and URL-safe: {@code airflow:etl_daily:extract}. Null while the task is not known.
     */
    public String taskId() {
        return task == null ? null : taskId(orchestrator, group, task);
    }

    public static String taskId(String orchestrator, String group, String task) {
        return orchestrator + ":" + enc(group == null ? "-" : group) + ":" + enc(task);
    }

    /** Reads a unit's tags; a unit that cannot name its attempt in any other way is an attempt of its own. */
    public static AttemptIdentity of(String kind, String how, Map<String, String> tags, String unitId) {
        double confidence = how.contains("title") && how.contains("env") ? 0.95 : how.startsWith("title") ? 0.9 : 0.8;
        String tryNumber = tags.get(Tags.TRY_NUMBER);
        switch (kind) {
            case Tags.KIND_AIRFLOW -> {
                String dag = tags.get(Tags.DAG_ID);
                String task = tags.get(Tags.TASK_ID);
                String run = tags.get(Tags.RUN_ID);
                int map = parseInt(tags.get(Tags.MAP_INDEX), -1);
                String stable;
                if (tags.containsKey(Tags.TI_ID)) {
                    stable = "ti\n" + tags.get(Tags.TI_ID);
                } else if (tags.containsKey(Tags.JOB_ID)) {
                    stable = "job\n" + dag + "\n" + tags.get(Tags.JOB_ID);
                } else if (tryNumber != null) {
                    stable = dag + "\n" + run + "\n" + task + "\n" + map + "\n" + tryNumber;
                } else {
                    // No try known: an attempt per unit, so two tries are never merged.
                    stable = "unit\n" + unitId;
                    confidence = Math.min(confidence, 0.6);
                }
                return new AttemptIdentity(kind, dag, task, run, tryNumber, map, stable, how, confidence);
            }
            case Tags.KIND_PREFECT -> {
                String flowRun = tags.get(Tags.FLOW_RUN_ID);
                return new AttemptIdentity(kind, tags.getOrDefault(Tags.FLOW_NAME, tags.get(Tags.FLOW_ID)),
                        WHOLE_FLOW_RUN, flowRun, null, -1, "flow_run\n" + flowRun, how, 0.95);
            }
            default -> {
                String task = tags.getOrDefault(Tags.TASK, unitId);
                String run = tags.getOrDefault(Tags.RUN, unitId);
                String flow = tags.get(Tags.FLOW);
                String tryKey = tryNumber == null ? "1" : tryNumber;
                return new AttemptIdentity(Tags.KIND_GENERIC, flow, task, run, tryKey, -1,
                        flow + "\n" + task + "\n" + run + "\n" + tryKey, how, 1.0);
            }
        }
    }

    private static int parseInt(String s, int fallback) {
        try {
            return s == null ? fallback : Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace(":", "%3A");
    }

    private static String hash(String s) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 10);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

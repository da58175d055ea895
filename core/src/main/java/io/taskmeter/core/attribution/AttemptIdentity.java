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
 *
 * @param orchestrator "airflow", "prefect" or "generic"
 * @param group        DAG id (Airflow), flow name (Prefect) or TASKMETER_FLOW (generic); may be null
 * @param task         task id (Airflow), task name (Prefect, or {@link #WHOLE_FLOW_RUN}) or TASKMETER_TASK
 * @param run          DAG run id, flow run id or TASKMETER_RUN; null when not known yet
 * @param tryKey       what tells tries of the same task run apart (try number, Airflow 3 TaskInstance id, job id)
 * @param mapIndex     Airflow dynamic task mapping index, -1 when not mapped
 * @param how          how the unit was recognised ("title", "env", "title+env", ...)
 * @param confidence   0..1: how sure the attribution is
 */
public record AttemptIdentity(String orchestrator, String group, String task, String run, String tryKey,
                              int mapIndex, String how, double confidence) {

    /** Prefect usage attributed to the flow run as a whole, before task runs are split out (issue 4). */
    public static final String WHOLE_FLOW_RUN = "(flow run)";

    /** Stable across hosts and deliveries: the same identity always gives the same id. */
    public String attemptId() {
        return hash(orchestrator + "\n" + group + "\n" + task + "\n" + run + "\n" + mapIndex + "\n" + tryKey);
    }

    /**
     * Task identity for rightsizing across runs: Airflow dag_id/task_id (map index folded), Prefect flow/task.
     * Readable and URL-safe: {@code airflow:etl_daily:extract}.
     */
    public String taskId() {
        return orchestrator + ":" + enc(group == null ? "-" : group) + ":" + enc(task);
    }

    /** Reads a unit's tags; a unit that cannot name its task at all is attributed to itself. */
    public static AttemptIdentity of(String kind, String how, Map<String, String> tags, String unitId) {
        double confidence = how.startsWith("title") ? 0.9 : 0.8;
        switch (kind) {
            case Tags.KIND_AIRFLOW -> {
                String tryKey = firstOf(tags, Tags.TRY_NUMBER, Tags.TI_ID, Tags.JOB_ID);
                String task = tags.get(Tags.TASK_ID);
                if (task == null) {
                    // Airflow 3 worker seen before any child told its dag and task: the TaskInstance id names it.
                    return new AttemptIdentity(kind, null, "ti " + tags.getOrDefault(Tags.TI_ID, unitId), null,
                            tryKey == null ? unitId : tryKey, -1, how, 0.5);
                }
                if (tryKey == null) {
                    tryKey = "unit " + unitId;
                    confidence = Math.min(confidence, 0.6);
                } else if (tags.containsKey(Tags.TRY_NUMBER)) {
                    tryKey = tags.get(Tags.TRY_NUMBER);
                    confidence = Math.max(confidence, 0.95);
                }
                return new AttemptIdentity(kind, tags.get(Tags.DAG_ID), task, tags.get(Tags.RUN_ID), tryKey,
                        parseInt(tags.get(Tags.MAP_INDEX), -1), how, confidence);
            }
            case Tags.KIND_PREFECT -> {
                String flowRun = tags.get(Tags.FLOW_RUN_ID);
                return new AttemptIdentity(kind, tags.getOrDefault(Tags.FLOW_NAME, tags.get(Tags.FLOW_ID)),
                        WHOLE_FLOW_RUN, flowRun, flowRun, -1, how, 0.95);
            }
            default -> {
                String run = tags.getOrDefault(Tags.RUN, unitId);
                return new AttemptIdentity(Tags.KIND_GENERIC, tags.get(Tags.FLOW), tags.getOrDefault(Tags.TASK, unitId),
                        run, tags.getOrDefault(Tags.TRY_NUMBER, "1"), -1, how, 1.0);
            }
        }
    }

    private static String firstOf(Map<String, String> tags, String... keys) {
        for (String k : keys) {
            String v = tags.get(k);
            if (v != null) {
                return v;
            }
        }
        return null;
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

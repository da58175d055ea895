package io.taskmeter.core.identity;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Recognises task processes from what the host shows (DESIGN §4): the process title and an allow-list of
 * environment variables. Pure functions of strings, so they are tested without processes.
 */
public final class TaskRecognizer {

    /** The only environment variables the shipper may read; everything else in /proc/PID/environ is skipped. */
    public static final Set<String> ENV_ALLOW_LIST = Set.of(
            "AIRFLOW_CTX_DAG_ID", "AIRFLOW_CTX_TASK_ID", "AIRFLOW_CTX_DAG_RUN_ID", "AIRFLOW_CTX_TRY_NUMBER",
            "AIRFLOW_CTX_MAP_INDEX",
            "PREFECT__FLOW_RUN_ID", "PREFECT__FLOW_ID", "PREFECT__FLOW_NAME", "PREFECT__DEPLOYMENT_ID",
            "PREFECT__DEPLOYMENT_NAME",
            "TASKMETER_TASK", "TASKMETER_RUN", "TASKMETER_FLOW", "TASKMETER_TRY",
            "TASKMETER_CPU_REQUEST", "TASKMETER_MEMORY_REQUEST");

    private static final Pattern AIRFLOW2_RUNNER = Pattern.compile(
            "^airflow task runner: (\\S+) (\\S+) (\\S+)(?: (\\d+))?");
    private static final Pattern AIRFLOW2_SUPERVISOR = Pattern.compile("^airflow task supervisor: \\[(.*)]");
    private static final Pattern AIRFLOW_TASKS_RUN = Pattern.compile(
            "(?:^|\\s|/)airflow tasks run (\\S+) (\\S+) (\\S+)(.*)$");
    private static final Pattern AIRFLOW3_WORKER = Pattern.compile(
            "^airflow worker -- ([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})");
    private static final Pattern MAP_INDEX = Pattern.compile("--map-index'?[ =,]+'?(-?\\d+)");
    private static final Pattern JOB_ID = Pattern.compile("--job-id'?[ =,]+'?(\\d+)");
    private static final Pattern QUOTED = Pattern.compile("'([^']*)'");

    private TaskRecognizer() {
    }

    /** @param title /proc/PID/cmdline with NULs turned into spaces */
    public static Optional<Recognition> fromTitle(String title) {
        String t = title.strip();
        Matcher m = AIRFLOW2_RUNNER.matcher(t);
        if (m.find()) {
            Map<String, String> tags = airflow(m.group(1), m.group(2), m.group(3));
            if (m.group(4) != null) {
                tags.put(Tags.JOB_ID, m.group(4));
            }
            return Optional.of(new Recognition(Tags.KIND_AIRFLOW, "title", tags));
        }
        m = AIRFLOW2_SUPERVISOR.matcher(t);
        if (m.find()) {
            List<String> args = QUOTED.matcher(m.group(1)).results().map(r -> r.group(1)).toList();
            int run = args.indexOf("run");
            if (run >= 0 && args.size() > run + 3) {
                Map<String, String> tags = airflow(args.get(run + 1), args.get(run + 2), args.get(run + 3));
                optionsInto(m.group(1), tags);
                return Optional.of(new Recognition(Tags.KIND_AIRFLOW, "title", tags));
            }
        }
        m = AIRFLOW_TASKS_RUN.matcher(t);
        if (m.find()) {
            Map<String, String> tags = airflow(m.group(1), m.group(2), m.group(3));
            optionsInto(m.group(4), tags);
            return Optional.of(new Recognition(Tags.KIND_AIRFLOW, "title", tags));
        }
        m = AIRFLOW3_WORKER.matcher(t);
        if (m.find()) {
            Map<String, String> tags = new LinkedHashMap<>();
            tags.put(Tags.TI_ID, m.group(1).toLowerCase());
            return Optional.of(new Recognition(Tags.KIND_AIRFLOW, "title", tags));
        }
        return Optional.empty();
    }

    /** @param env allow-listed variables only (see {@link #ENV_ALLOW_LIST}) */
    public static Optional<Recognition> fromEnv(Map<String, String> env) {
        Map<String, String> tags = new LinkedHashMap<>();
        String dag = env.get("AIRFLOW_CTX_DAG_ID");
        String task = env.get("AIRFLOW_CTX_TASK_ID");
        if (dag != null && task != null) {
            tags.putAll(airflow(dag, task, env.get("AIRFLOW_CTX_DAG_RUN_ID")));
            putIf(tags, Tags.TRY_NUMBER, env.get("AIRFLOW_CTX_TRY_NUMBER"));
            putIf(tags, Tags.MAP_INDEX, env.get("AIRFLOW_CTX_MAP_INDEX"));
            requestsInto(env, tags);
            return Optional.of(new Recognition(Tags.KIND_AIRFLOW, "env", tags));
        }
        String flowRun = env.get("PREFECT__FLOW_RUN_ID");
        if (flowRun != null && !flowRun.isBlank()) {
            tags.put(Tags.FLOW_RUN_ID, flowRun);
            putIf(tags, Tags.FLOW_ID, env.get("PREFECT__FLOW_ID"));
            putIf(tags, Tags.FLOW_NAME, env.get("PREFECT__FLOW_NAME"));
            putIf(tags, Tags.DEPLOYMENT_ID, env.get("PREFECT__DEPLOYMENT_ID"));
            putIf(tags, Tags.DEPLOYMENT_NAME, env.get("PREFECT__DEPLOYMENT_NAME"));
            requestsInto(env, tags);
            return Optional.of(new Recognition(Tags.KIND_PREFECT, "env", tags));
        }
        String generic = env.get("TASKMETER_TASK");
        if (generic != null && !generic.isBlank()) {
            tags.put(Tags.TASK, generic);
            putIf(tags, Tags.RUN, env.get("TASKMETER_RUN"));
            putIf(tags, Tags.FLOW, env.get("TASKMETER_FLOW"));
            putIf(tags, Tags.TRY_NUMBER, env.get("TASKMETER_TRY"));
            requestsInto(env, tags);
            return Optional.of(new Recognition(Tags.KIND_GENERIC, "env", tags));
        }
        return Optional.empty();
    }

    private static Map<String, String> airflow(String dag, String task, String run) {
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put(Tags.DAG_ID, dag);
        tags.put(Tags.TASK_ID, task);
        putIf(tags, Tags.RUN_ID, run);
        return tags;
    }

    private static void optionsInto(String args, Map<String, String> tags) {
        Matcher map = MAP_INDEX.matcher(args);
        if (map.find()) {
            tags.put(Tags.MAP_INDEX, map.group(1));
        }
        Matcher job = JOB_ID.matcher(args);
        if (job.find()) {
            tags.put(Tags.JOB_ID, job.group(1));
        }
    }

    private static void requestsInto(Map<String, String> env, Map<String, String> tags) {
        putIf(tags, Tags.CPU_REQUEST, env.get("TASKMETER_CPU_REQUEST"));
        putIf(tags, Tags.MEMORY_REQUEST, env.get("TASKMETER_MEMORY_REQUEST"));
    }

    private static void putIf(Map<String, String> tags, String key, String value) {
        if (value != null && !value.isBlank()) {
            tags.put(key, value.strip());
        }
    }
}

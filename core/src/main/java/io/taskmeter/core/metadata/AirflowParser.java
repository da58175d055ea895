package io.taskmeter.core.metadata;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;

/**
 * Airflow REST collections to records: API v1 (Airflow 2, {@code TaskInstanceCollection},
 * {@code DAGRunCollection}) and API v2 (Airflow 3, {@code TaskInstanceCollectionResponse} with the TaskInstance
 * {@code id}, {@code DAGRunCollectionResponse}). The version is told by the record: a task instance with an
 * {@code id} is Airflow 3. Entries without a DAG or task id are skipped; every other field is optional.
 */
public final class AirflowParser {
    private AirflowParser() {
    }

    /** @param collection a response body, or its {@code task_instances} array */
    public static List<MetadataRecord> taskInstances(JsonNode collection) {
        List<MetadataRecord> out = new ArrayList<>();
        for (JsonNode ti : Json.items(collection, "task_instances")) {
            MetadataRecord r = taskInstance(ti);
            if (r != null) {
                out.add(r);
            }
        }
        return out;
    }

    public static MetadataRecord taskInstance(JsonNode ti) {
        String dag = Json.text(ti, "dag_id");
        String task = Json.text(ti, "task_id");
        if (dag == null || task == null) {
            return null;
        }
        String id = Json.text(ti, "id");
        String raw = Json.text(ti, "state");
        MetadataRecord.Builder b = MetadataRecord.builder(MetadataRecord.TASK_INSTANCE, "airflow",
                        id != null ? "airflow-v2" : "airflow-v1")
                .id(id == null ? null : id.toLowerCase(java.util.Locale.ROOT))
                .dagOrFlow(dag).task(task).taskName(Json.text(ti, "task_display_name"))
                .run(Json.text(ti, "dag_run_id"))
                .tryNumber(Json.integer(ti, "try_number"))
                .mapIndex(orDefault(Json.integer(ti, "map_index"), -1))
                .jobId(Json.text(ti, "job_id"))
                .state(States.airflow(raw)).rawState(raw)
                .startMs(Json.time(ti, "start_date")).endMs(Json.time(ti, "end_date"))
                .updatedMs(Json.time(ti, "updated_at"))
                .hostname(Json.text(ti, "hostname")).pid(positive(Json.integer(ti, "pid")))
                .unixname(Json.text(ti, "unixname"))
                .queue(Json.text(ti, "queue")).pool(Json.text(ti, "pool")).poolSlots(Json.integer(ti, "pool_slots"))
                .operator(Json.text(ti, "operator")).executor(Json.text(ti, "executor"));
        Requests.fromExecutorConfig(Json.text(ti, "executor_config")).ifPresent(b::requests);
        return b.build();
    }

    public static List<MetadataRecord> dagRuns(JsonNode collection) {
        List<MetadataRecord> out = new ArrayList<>();
        for (JsonNode run : Json.items(collection, "dag_runs")) {
            String dag = Json.text(run, "dag_id");
            String runId = Json.text(run, "dag_run_id");
            if (dag == null || runId == null) {
                continue;
            }
            String raw = Json.text(run, "state");
            boolean v2 = run.has("run_after") || run.has("dag_versions");
            out.add(MetadataRecord.builder(MetadataRecord.DAG_RUN, "airflow", v2 ? "airflow-v2" : "airflow-v1")
                    .dagOrFlow(dag).run(runId).state(States.airflow(raw)).rawState(raw)
                    .startMs(Json.time(run, "start_date")).endMs(Json.time(run, "end_date"))
                    .updatedMs(Json.time(run, "updated_at"))
                    .build());
        }
        return out;
    }

    private static Integer orDefault(Integer v, int fallback) {
        return v == null ? fallback : v;
    }

    private static Integer positive(Integer v) {
        return v == null || v <= 0 ? null : v;
    }
}

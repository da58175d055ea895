package io.taskmeter.core.identity;

import io.taskmeter.core.attribution.AttemptIdentity;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TaskRecognizerTest {
    @Test
    void airflow2RunnerTitle() {
        Recognition r = TaskRecognizer.fromTitle(
                "airflow task runner: etl_daily extract scheduled__2026-11-22T00:00:00+00:00 4711").orElseThrow();
        assertEquals("airflow", r.kind());
        assertEquals(Map.of("dag_id", "etl_daily", "task_id", "extract",
                "run_id", "scheduled__2026-11-22T00:00:00+00:00", "job_id", "4711"), r.tags());
    }

    @Test
    void airflow2SupervisorTitleWithMapIndex() {
        Recognition r = TaskRecognizer.fromTitle("airflow task supervisor: ['airflow', 'tasks', 'run', 'etl', "
                + "'load', 'manual__1', '--job-id', '12', '--raw', '--subdir', 'DAGS_FOLDER/etl.py', '--map-index', '3']")
                .orElseThrow();
        assertEquals("load", r.tags().get("task_id"));
        assertEquals("3", r.tags().get("map_index"));
        assertEquals("12", r.tags().get("job_id"));
    }

    @Test
    void airflowTasksRunCommandLine() {
        Recognition r = TaskRecognizer.fromTitle(
                "/usr/bin/python3 /usr/local/bin/airflow tasks run etl load manual__1 --local --map-index 2").orElseThrow();
        assertEquals("etl", r.tags().get("dag_id"));
        assertEquals("2", r.tags().get("map_index"));
    }

    @Test
    void airflow3WorkerTitle() {
        Recognition r = TaskRecognizer.fromTitle("airflow worker -- 0199B8E1-8F6A-7D2C-9A4B-6C1E2F3A4B5C").orElseThrow();
        assertEquals("0199b8e1-8f6a-7d2c-9a4b-6c1e2f3a4b5c", r.tags().get("ti_id"));
    }

    @Test
    void unrelatedTitlesAreNotTasks() {
        assertTrue(TaskRecognizer.fromTitle("airflow scheduler").isEmpty());
        assertTrue(TaskRecognizer.fromTitle("python train.py --epochs 3").isEmpty());
    }

    @Test
    void envRecognisesAirflowChildrenPrefectAndGeneric() {
        Recognition af = TaskRecognizer.fromEnv(Map.of("AIRFLOW_CTX_DAG_ID", "etl", "AIRFLOW_CTX_TASK_ID", "t",
                "AIRFLOW_CTX_DAG_RUN_ID", "r1", "AIRFLOW_CTX_TRY_NUMBER", "2")).orElseThrow();
        assertEquals("2", af.tags().get("try_number"));
        Recognition pf = TaskRecognizer.fromEnv(Map.of("PREFECT__FLOW_RUN_ID", "fr-1", "PREFECT__FLOW_NAME", "ingest"))
                .orElseThrow();
        assertEquals("prefect", pf.kind());
        Recognition g = TaskRecognizer.fromEnv(Map.of("TASKMETER_TASK", "nightly-backup")).orElseThrow();
        assertEquals("generic", g.kind());
        assertTrue(TaskRecognizer.fromEnv(Map.of()).isEmpty());
    }

    @Test
    void titleAndChildEnvMergeIntoOneAttempt() {
        Recognition title = TaskRecognizer.fromTitle("airflow task runner: etl t r1 99").orElseThrow();
        Recognition env = TaskRecognizer.fromEnv(Map.of("AIRFLOW_CTX_DAG_ID", "etl", "AIRFLOW_CTX_TASK_ID", "t",
                "AIRFLOW_CTX_DAG_RUN_ID", "r1", "AIRFLOW_CTX_TRY_NUMBER", "1")).orElseThrow();
        assertTrue(title.agreesWith(env));
        Recognition merged = title.enrichedWith(env);
        assertEquals("title+env", merged.how());
        assertEquals("1", merged.tags().get("try_number"));
        Recognition otherTask = TaskRecognizer.fromEnv(Map.of("AIRFLOW_CTX_DAG_ID", "etl", "AIRFLOW_CTX_TASK_ID", "u"))
                .orElseThrow();
        assertFalse(title.agreesWith(otherTask));

        AttemptIdentity a = AttemptIdentity.of(merged.kind(), merged.how(), merged.tags(), "u1");
        assertEquals("airflow:etl:t", a.taskId());
        assertEquals("1", a.tryNumber());
        AttemptIdentity titleOnly = AttemptIdentity.of(title.kind(), title.how(), title.tags(), "u1");
        assertEquals(titleOnly.attemptId(), a.attemptId(), "a child's env must not move usage to another attempt");
        AttemptIdentity retry = AttemptIdentity.of(merged.kind(), merged.how(),
                Map.of("dag_id", "etl", "task_id", "t", "run_id", "r1", "try_number", "2"), "u2");
        assertNotEquals(a.attemptId(), retry.attemptId());
        assertEquals(a.taskId(), retry.taskId());
    }
}

package io.taskmeter.core.metadata;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ParsersTest {
    private static long ms(String iso) {
        return Instant.parse(iso).toEpochMilli();
    }

    private static MetadataRecord find(List<MetadataRecord> rs, String task) {
        return rs.stream().filter(r -> task.equals(r.task()) || task.equals(r.taskName())).findFirst().orElseThrow();
    }

    @Test
    void airflow3ExampleFromAirflowsOwnTestsReadsWithItsId() {
        List<MetadataRecord> rs = AirflowParser.taskInstances(Fixtures.json("airflow3-task-instances-example.json"));
        assertEquals(1, rs.size());
        MetadataRecord r = rs.get(0);
        assertEquals("airflow-v2", r.api());
        assertEquals("01985d2a-6c3f-7a4e-9b1f-2c8d4e6f8a10", r.id());
        assertEquals("example_python_operator", r.dagOrFlow());
        assertEquals("print_the_context", r.task());
        assertEquals("TEST_DAG_RUN_ID", r.run());
        assertEquals("running", r.state());
        assertEquals(ms("2020-01-02T00:00:00Z"), r.startMs());
        assertEquals(ms("2020-01-03T00:00:00Z"), r.endMs());
        assertNull(r.hostname(), "empty hostname is no hostname");
        assertEquals(100, r.pid());
        assertEquals("default_queue", r.queue());
        assertEquals(-1, r.mapIndex());
        assertNull(r.requests(), "executor_config {} asks for nothing");
    }

    @Test
    void airflow2RunningFinishedRetriedMappedKubernetesAndOddRecords() {
        List<MetadataRecord> rs = AirflowParser.taskInstances(Fixtures.json("airflow2-v1-task-instances.json"));
        assertEquals(7, rs.size(), "the entry without task_id is skipped, every other one read");
        rs.forEach(r -> assertEquals("airflow-v1", r.api()));

        MetadataRecord running = find(rs, "extract");
        assertEquals("running", running.state());
        assertEquals(ms("2024-05-02T00:00:05.123Z"), running.startMs());
        assertNull(running.endMs());
        assertEquals("ip-10-0-1-5.ec2.internal", running.hostname());
        assertEquals(4242, running.pid());
        assertEquals("PythonOperator", running.operator());

        MetadataRecord finished = find(rs, "transform");
        assertEquals("success", finished.state());
        assertEquals(ms("2024-05-02T02:00:00Z"), finished.startMs(), "no zone: UTC, space separator");
        assertEquals(ms("2024-05-02T00:10:00Z"), finished.endMs(), "+02:00 offset");
        assertEquals(2, finished.poolSlots());
        assertEquals("heavy", finished.queue());

        MetadataRecord retried = find(rs, "load");
        assertEquals("up_for_retry", retried.state());
        assertTrue(States.failure(retried.state()));

        MetadataRecord mapped = find(rs, "score");
        assertEquals(3, mapped.mapIndex());
        assertNull(mapped.hostname());
        assertNull(mapped.pid());

        MetadataRecord k8s = find(rs, "train");
        assertEquals("KubernetesExecutor", k8s.executor());
        assertEquals(new Requests("2.5", Long.toString(8L << 30), "4", Long.toString(16L << 30),
                "airflow.executor_config.pod_override"), k8s.requests(), "container 'base', not the sidecar");

        MetadataRecord legacy = find(rs, "legacy_k8s");
        assertEquals(new Requests("0.5", Long.toString(512L << 20), null, Long.toString(1L << 30),
                "airflow.executor_config.KubernetesExecutor"), legacy.requests());
        assertEquals("queued", legacy.state());

        MetadataRecord odd = find(rs, "odd");
        assertNull(odd.state());
        assertEquals(3, odd.tryNumber(), "a try number as a string");
        assertEquals(12, odd.pid());
        assertEquals(-1, odd.mapIndex());
        assertNull(odd.startMs(), "an unreadable date is null, not an error");
        assertNull(odd.requests(), "an unprintable pod override asks for nothing");
    }

    @Test
    void airflow3RetriedKubernetesAndMappedTaskInstances() {
        List<MetadataRecord> rs = AirflowParser.taskInstances(Fixtures.json("airflow3-v2-task-instances.json"));
        assertEquals(3, rs.size());
        MetadataRecord first = rs.get(0);
        assertEquals("0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b", first.id(), "ids are lower-cased as the host reads them");
        assertEquals("failed", first.state());
        assertEquals(1, first.tryNumber());
        assertEquals(ms("2025-06-02T00:00:03.500Z"), first.startMs());
        MetadataRecord second = rs.get(1);
        assertEquals(2, second.tryNumber());
        assertEquals(new Requests("1", "2000000000", null, null, "airflow.executor_config.pod_override"),
                second.requests(), "JSON executor_config reads too");
        assertEquals(7, rs.get(2).mapIndex());
    }

    @Test
    void dagRunsOfBothVersions() {
        List<MetadataRecord> rs = AirflowParser.dagRuns(Fixtures.json("airflow-dag-runs.json"));
        assertEquals(2, rs.size());
        assertEquals("airflow-v1", rs.get(0).api());
        assertEquals("running", rs.get(0).state());
        assertEquals(ms("2024-05-02T00:00:00.500Z"), rs.get(0).startMs());
        assertEquals("airflow-v2", rs.get(1).api());
        assertEquals(ms("2025-06-02T10:00:00Z"), rs.get(1).endMs());
    }

    @Test
    void prefectFlowRunsOfEveryWorker() {
        Map<String, String> names = Map.of("a1b2c3d4-e5f6-7890-abcd-ef1234567890", "my-etl-flow");
        List<MetadataRecord> rs = PrefectParser.flowRuns(Fixtures.json("prefect3-flow-runs.json"),
                id -> names.get(id), id -> "etl/production");
        assertEquals(7, rs.size());
        Map<String, MetadataRecord> byName = rs.stream().collect(Collectors.toMap(MetadataRecord::taskName,
                Function.identity()));

        MetadataRecord proc = byName.get("crimson-fox");
        assertEquals("my-etl-flow", proc.dagOrFlow());
        assertEquals("e3755d32-cec5-42ca-9bcd-af236e308ba6", proc.run());
        assertEquals("running", proc.state());
        assertEquals("worker-1", proc.hostname());
        assertEquals(4321, proc.pid());
        assertEquals("etl/production", proc.deploymentName());
        assertEquals(List.of("etl", "production"), proc.tags());
        assertEquals(ms("2026-03-31T18:31:00.123Z"), proc.updatedMs());

        MetadataRecord old = byName.get("old-prefect2");
        assertEquals("f1000000-0000-0000-0000-000000000000", old.dagOrFlow(), "flow id stands in for an unknown name");
        assertEquals("process", old.infrastructure().kind());
        assertEquals(12345, old.infrastructure().pid());
        assertNull(old.hostname());
        assertEquals("success", old.state());

        MetadataRecord docker = byName.get("docker-run");
        assertEquals("docker", docker.infrastructure().kind());
        assertEquals("3f2a9c0d1e2b", docker.infrastructure().containerId());
        assertEquals("crashed", docker.state());
        assertEquals(Boolean.TRUE, docker.oomKilled());
        assertEquals(2, docker.tryNumber());
        assertEquals(new Requests("1.5", Long.toString(2L << 30), "1.5", Long.toString(2L << 30),
                "prefect.job_variables+limit"), docker.requests());

        MetadataRecord k8s = byName.get("k8s-run");
        assertEquals("kubernetes", k8s.infrastructure().kind());
        assertEquals("prefect", k8s.infrastructure().namespace());
        assertEquals("crimson-fox-abc12", k8s.infrastructure().job());
        assertEquals("0.75", k8s.requests().cpuRequest());
        assertEquals(Long.toString(3L << 30), k8s.requests().memoryRequest());

        MetadataRecord k8sOld = byName.get("k8s-old");
        assertEquals("k8s-old-xyz", k8sOld.infrastructure().job());
        assertEquals("2", k8sOld.requests().cpuRequest());

        MetadataRecord ecs = byName.get("ecs-run");
        assertEquals("ecs", ecs.infrastructure().kind());
        assertTrue(ecs.infrastructure().taskArn().endsWith("task/prefect/0a1b2c3d4e5f"));
        assertEquals("2", ecs.requests().cpuRequest(), "2048 CPU units");
        assertEquals(Long.toString(8192L << 20), ecs.requests().memoryRequest(), "MiB");

        MetadataRecord scheduled = byName.get("scheduled");
        assertEquals("scheduled", scheduled.state());
        assertNull(scheduled.infrastructure());
        assertNull(scheduled.startMs());
    }

    @Test
    void prefectTaskRunsBelongToTheirFlowRun() {
        List<MetadataRecord> rs = PrefectParser.taskRuns(Fixtures.json("prefect3-task-runs.json"));
        assertEquals(3, rs.size());
        assertEquals("extract_data", rs.get(0).task());
        assertEquals("e3755d32-cec5-42ca-9bcd-af236e308ba6", rs.get(0).run());
        assertEquals(0, rs.get(0).mapIndex());
        assertEquals("success", rs.get(0).state());
        assertEquals("running", rs.get(1).state());
        assertNull(rs.get(2).run());
        assertNull(rs.get(2).mapIndex());
    }

    @Test
    void prefectEventsFromTheDocs() {
        MetadataRecord running = EventParser.prefect(Fixtures.json("prefect3-event-flow-run-running.json")).orElseThrow();
        assertEquals(MetadataRecord.FLOW_RUN, running.type());
        assertEquals("e3755d32-cec5-42ca-9bcd-af236e308ba6", running.id());
        assertEquals("my-etl-flow", running.dagOrFlow());
        assertEquals("my-etl-flow/production", running.deploymentName());
        assertEquals("my-k8s-pool", running.workPool());
        assertEquals("running", running.state());
        assertEquals(1, running.tryNumber());
        assertEquals(List.of("production"), running.tags());

        MetadataRecord task = EventParser.prefect(Fixtures.json("prefect3-event-task-run-completed.json")).orElseThrow();
        assertEquals(MetadataRecord.TASK_RUN, task.type());
        assertEquals("extract_data", task.task());
        assertEquals("e3755d32-cec5-42ca-9bcd-af236e308ba6", task.run(), "from the payload: the resource does not name it");
        assertEquals("success", task.state());

        MetadataRecord worker = EventParser.prefect(Fixtures.json("prefect3-event-worker-executed-flow-run.json"))
                .orElseThrow();
        assertEquals("e3755d32-cec5-42ca-9bcd-af236e308ba6", worker.id());
        assertEquals("kubernetes", worker.infrastructure().kind());
        assertEquals("my-job-abc123", worker.infrastructure().job());
        assertEquals("my-k8s-pool", worker.workPool());
    }

    @Test
    void openLineageTaskEventsOfAirflow3() {
        JsonNode events = Fixtures.json("airflow3-openlineage-expected-events.json");
        List<MetadataRecord> rs = new java.util.ArrayList<>();
        events.forEach(e -> EventParser.openLineage(e).ifPresent(rs::add));
        assertEquals(2, rs.size(), "the DAG-level event is not a task");
        assertEquals("openlineage_base_simple_dag", rs.get(0).dagOrFlow());
        assertEquals("do_nothing_task", rs.get(0).task());
        assertEquals("running", rs.get(0).state());
        assertEquals("success", rs.get(1).state());
        assertNull(rs.get(0).tryNumber(), "a matcher, not a number: null");
        assertNull(rs.get(0).startMs(), "a matcher, not a time: null");
    }

    /** Every field the parsers read exists in the orchestrators' published schemas (or is a documented extra). */
    @Test
    void parsersReadOnlyFieldsTheSchemasDefine() {
        Set<String> v1 = props(Fixtures.json("airflow2-api-v1-schemas.json").path("schemas").path("TaskInstance"));
        Set<String> v2 = props(Fixtures.json("airflow3-api-v2-schemas.json").path("schemas").path("TaskInstanceResponse"));
        for (String f : List.of("dag_id", "task_id", "dag_run_id", "try_number", "map_index", "state", "start_date",
                "end_date", "hostname", "pid", "unixname", "queue", "pool", "pool_slots", "operator", "executor",
                "executor_config", "task_display_name")) {
            assertTrue(v1.contains(f), "v1 TaskInstance has " + f);
            assertTrue(v2.contains(f), "v2 TaskInstanceResponse has " + f);
        }
        assertTrue(v2.contains("id"));
        assertFalse(v1.contains("id"), "Airflow 2 has no TaskInstance id: joined by key, host, pid and time");
        assertFalse(v1.contains("job_id"), "nor the runner's job id");
        JsonNode prefect = Fixtures.json("prefect3-api-schemas.json").path("schemas");
        Set<String> flowRun = props(prefect.path("FlowRunResponse"));
        for (String f : List.of("id", "flow_id", "name", "deployment_id", "work_pool_name", "work_queue_name",
                "infrastructure_pid", "state_type", "state_name", "state", "run_count", "start_time", "end_time",
                "updated", "tags", "job_variables")) {
            assertTrue(flowRun.contains(f), "FlowRunResponse has " + f);
        }
        Set<String> taskRun = props(prefect.path("TaskRun"));
        for (String f : List.of("id", "flow_run_id", "task_key", "dynamic_key", "name", "state_type", "run_count",
                "start_time", "end_time", "updated", "tags")) {
            assertTrue(taskRun.contains(f), "TaskRun has " + f);
        }
    }

    private static Set<String> props(JsonNode schema) {
        Set<String> out = new TreeSet<>();
        schema.path("properties").fieldNames().forEachRemaining(out::add);
        schema.path("allOf").forEach(part -> part.path("properties").fieldNames().forEachRemaining(out::add));
        return out;
    }
}

package io.taskmeter.core.metadata;

import io.taskmeter.core.attribution.AttemptIdentity;
import io.taskmeter.core.identity.Recognition;
import io.taskmeter.core.identity.TaskRecognizer;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Metadata names the same attempt as the host: the ids must be equal, computed independently on both sides. */
class JoinRulesTest {
    private static final long T0 = 1_714_608_005_000L;

    private static AttemptIdentity host(String title, Map<String, String> env) {
        Recognition r = TaskRecognizer.fromTitle(title).orElse(null);
        if (env != null) {
            Recognition e = TaskRecognizer.fromEnv(env).orElseThrow();
            r = r == null ? e : r.enrichedWith(e);
        }
        return AttemptIdentity.of(r.kind(), r.how(), r.tags(), "boot/100/1");
    }

    private static MetadataRecord.Builder ti(String api) {
        return MetadataRecord.builder(MetadataRecord.TASK_INSTANCE, "airflow", api).dagOrFlow("etl").task("load")
                .run("manual__1").mapIndex(-1);
    }

    @Test
    void airflow3TaskInstanceIdIsTheHostsAttempt() {
        AttemptIdentity unit = host("airflow worker -- 0190A1B2-C3D4-7E5F-8A9B-0C1D2E3F4A5B", null);
        MetadataRecord r = AirflowParser.taskInstances(Fixtures.json("airflow3-v2-task-instances.json")).get(0);
        List<JoinRules.Direct> d = JoinRules.direct(r);
        assertEquals(unit.attemptId(), d.get(0).attemptId());
        assertEquals("ti_id", d.get(0).rule());
    }

    @Test
    void airflow2JobIdAndFullIdentityRules() {
        AttemptIdentity byJob = host("airflow task runner: etl load manual__1 812", null);
        MetadataRecord withJob = ti("airflow-v1").jobId("812").tryNumber(2).build();
        assertTrue(JoinRules.direct(withJob).stream().anyMatch(x -> x.attemptId().equals(byJob.attemptId())));

        AttemptIdentity byEnv = host("python worker.py", Map.of("AIRFLOW_CTX_DAG_ID", "etl", "AIRFLOW_CTX_TASK_ID",
                "load", "AIRFLOW_CTX_DAG_RUN_ID", "manual__1", "AIRFLOW_CTX_TRY_NUMBER", "2"));
        MetadataRecord noJob = ti("airflow-v1").tryNumber(2).build();
        assertEquals(byEnv.attemptId(), JoinRules.direct(noJob).get(0).attemptId());
        MetadataRecord otherTry = ti("airflow-v1").tryNumber(3).build();
        assertTrue(JoinRules.direct(otherTry).stream().noneMatch(x -> x.attemptId().equals(byEnv.attemptId())));
    }

    @Test
    void prefectFlowAndTaskRunsNameTheFlowRunAttempt() {
        AttemptIdentity unit = host("python -m prefect.engine",
                Map.of("PREFECT__FLOW_RUN_ID", "e3755d32-cec5-42ca-9bcd-af236e308ba6"));
        MetadataRecord flowRun = PrefectParser.flowRuns(Fixtures.json("prefect3-flow-runs.json"), id -> null, id -> null)
                .get(0);
        MetadataRecord taskRun = PrefectParser.taskRuns(Fixtures.json("prefect3-task-runs.json")).get(0);
        assertEquals(unit.attemptId(), JoinRules.direct(flowRun).get(0).attemptId());
        assertEquals(unit.attemptId(), JoinRules.direct(taskRun).get(0).attemptId());
        assertEquals(List.of(), JoinRules.direct(AirflowParser.dagRuns(Fixtures.json("airflow-dag-runs.json")).get(0)));
    }

    @Test
    void naturalKeysAgreeOnBothSides() {
        AttemptIdentity unit = host("airflow task runner: etl load manual__1 812", null);
        assertEquals(JoinRules.naturalKey(ti("airflow-v1").build()),
                JoinRules.naturalKey("airflow", Map.of("dag_id", "etl", "task_id", "load", "run_id", "manual__1")));
        assertEquals(null, JoinRules.naturalKey("prefect", Map.of()));
        assertEquals("etl", unit.group());
    }

    @Test
    void triesOfOneTaskInstanceAreToldApartByStartTime() {
        var try1 = new JoinRules.UnitCandidate("b/100/1", "att-1", "worker-1", 100, null, T0 - 4_000, null);
        var try2 = new JoinRules.UnitCandidate("b/300/9", "att-2", "worker-1", 300, null, T0 + 600_000 - 3_000, null);
        MetadataRecord second = ti("airflow-v1").tryNumber(2).hostname("worker-1.ec2.internal").pid(301)
                .startMs(T0 + 600_000).build();
        JoinRules.Match m = JoinRules.match(second, List.of(try1, try2), true).orElseThrow();
        assertEquals("att-2", m.unit().attemptId());
        assertEquals("metadata:key+host+start", m.how(), "the runner's pid is a child of the unit's root");
        assertEquals(0.9, m.confidence());

        MetadataRecord first = second.toBuilder().tryNumber(1).pid(100).startMs(T0).build();
        m = JoinRules.match(first, List.of(try1, try2), true).orElseThrow();
        assertEquals("att-1", m.unit().attemptId());
        assertEquals("metadata:key+host+pid+start", m.how());
    }

    @Test
    void wrongHostTooFarInTimeOrAnotherTryNeverMatch() {
        MetadataRecord r = ti("airflow-v1").tryNumber(1).hostname("worker-1").pid(100).startMs(T0).build();
        var otherHost = new JoinRules.UnitCandidate("b/100/1", "a", "worker-2", 100, null, T0, null);
        var tooEarly = new JoinRules.UnitCandidate("b/100/1", "a", "worker-1", 100, null, T0 - 6 * 60_000, null);
        var tooLate = new JoinRules.UnitCandidate("b/100/1", "a", "worker-1", 100, null, T0 + 2 * 60_000, null);
        var otherTry = new JoinRules.UnitCandidate("b/100/1", "a", "worker-1", 100, null, T0, "2");
        for (var c : List.of(otherHost, tooEarly, tooLate, otherTry)) {
            assertEquals(Optional.empty(), JoinRules.match(r, List.of(c), true), c.toString());
        }
        assertEquals(Optional.empty(), JoinRules.match(r.toBuilder().startMs(null).build(),
                List.of(new JoinRules.UnitCandidate("b/100/1", "a", "worker-1", 100, null, T0, null)), true));
    }

    @Test
    void hostPidJoinForUnitsTheHostCouldNotNameNeedsHostAndPid() {
        MetadataRecord r = MetadataRecord.builder(MetadataRecord.FLOW_RUN, "prefect", "prefect").id("fr")
                .hostname("WORKER-1").pid(4321).startMs(T0).build();
        var root = new JoinRules.UnitCandidate("b/9000/1", "a", "worker-1", 9000, 4321, T0 - 1_000, null);
        JoinRules.Match m = JoinRules.match(r, List.of(root), false).orElseThrow();
        assertEquals("metadata:host+pid+start", m.how(), "pid in the container's namespace (NSpid)");
        assertEquals(0.85, m.confidence());
        var wrongPid = new JoinRules.UnitCandidate("b/9000/1", "a", "worker-1", 9000, null, T0, null);
        assertEquals(Optional.empty(), JoinRules.match(r, List.of(wrongPid), false));
        MetadataRecord noHost = r.toBuilder().hostname(null).build();
        assertEquals(Optional.empty(), JoinRules.match(noHost, List.of(root), false));
        assertEquals("ip-10-0-1-5", JoinRules.shortHost("IP-10-0-1-5.EC2.internal"));
        assertEquals("10.0.1.5", JoinRules.shortHost("10.0.1.5"));
    }
}

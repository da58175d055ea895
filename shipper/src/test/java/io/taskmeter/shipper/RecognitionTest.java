package io.taskmeter.shipper;

import io.taskmeter.core.batch.Batch;
import io.taskmeter.core.batch.UnitSeries;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Real processes imitating the orchestrators' titles and environments, recognised as units. */
class RecognitionTest {

    @Test
    void airflowRunnerTitleEnrichedByItsChildsEnvironmentIsOneUnit() throws Exception {
        Path dir = TestSupport.newDir();
        try (Shipper shipper = Shipper.start(TestSupport.config(dir, 200, 1000).build())) {
            Process p = TestSupport.start("exec -a \"airflow task runner: dag1 task1 run1 42\" bash -c \"sleep 2; "
                    + "(AIRFLOW_CTX_DAG_ID=dag1 AIRFLOW_CTX_TASK_ID=task1 AIRFLOW_CTX_DAG_RUN_ID=run1 "
                    + "AIRFLOW_CTX_TRY_NUMBER=3 sleep 2)\"");
            assertEquals(0, p.waitFor());
            Thread.sleep(500);
        }
        List<UnitSeries> units = TestSupport.units(TestSupport.batches(dir.resolve("sink")),
                u -> "dag1".equals(u.tags().get("dag_id")));
        assertFalse(units.isEmpty(), "recognised from the runner's title");
        assertEquals(1, units.stream().map(UnitSeries::unitId).distinct().count(), "one unit: " + units);
        UnitSeries last = units.get(units.size() - 1);
        assertEquals("airflow", last.kind());
        assertEquals("task1", last.tags().get("task_id"));
        assertEquals("run1", last.tags().get("run_id"));
        assertEquals("42", last.tags().get("job_id"));
        assertEquals("3", last.tags().get("try_number"), "try number from the child's AIRFLOW_CTX_* environment");
        assertEquals("title+env", last.how());
        assertNotNull(last.endedMs(), "the unit's end is reported");
        assertTrue(last.command().startsWith("airflow task runner: dag1 task1 run1 42"), last.command());
        assertTrue(units.stream().flatMap(u -> u.samples().stream()).anyMatch(s -> s.processes() >= 2),
                "the child was a member of the runner's unit");
    }

    @Test
    void prefectFlowRunWithChildrenIsOneUnitAndAConflictingDescendantIsAnother() throws Exception {
        Path dir = TestSupport.newDir();
        String flowRun = UUID.randomUUID().toString();
        String other = UUID.randomUUID().toString();
        try (Shipper shipper = Shipper.start(TestSupport.config(dir, 200, 1000).build())) {
            Process p = TestSupport.start("sleep 1.5 & sleep 1.5 & (sleep 1.2; true) & "
                            + "PREFECT__FLOW_RUN_ID=" + other + " bash -c 'sleep 1.5; true' & wait; sleep 0.5",
                    "PREFECT__FLOW_RUN_ID", flowRun, "PREFECT__FLOW_NAME", "etl");
            assertEquals(0, p.waitFor());
            Thread.sleep(500);
        }
        List<Batch> batches = TestSupport.batches(dir.resolve("sink"));
        List<UnitSeries> units = TestSupport.units(batches, u -> flowRun.equals(u.tags().get("flow_run_id")));
        assertFalse(units.isEmpty(), "recognised from PREFECT__FLOW_RUN_ID");
        assertEquals(1, units.stream().map(UnitSeries::unitId).distinct().count(), "one unit for the flow run");
        UnitSeries last = units.get(units.size() - 1);
        assertEquals("prefect", last.kind());
        assertEquals("env", last.how());
        assertEquals("etl", last.tags().get("flow_name"));
        assertTrue(units.stream().flatMap(u -> u.samples().stream()).anyMatch(s -> s.processes() >= 4),
                "the children were members");
        List<UnitSeries> nested = TestSupport.units(batches, u -> other.equals(u.tags().get("flow_run_id")));
        assertEquals(1, nested.stream().map(UnitSeries::unitId).distinct().count(),
                "a descendant of another flow run is its own unit");
    }

    @Test
    void aTaskAlreadyRunningWhenTheShipperStartsIsPartialFromItsFirstSample() throws Exception {
        Path dir = TestSupport.newDir();
        Process p = TestSupport.start("i=0; while [ $i -lt 40000 ]; do i=$((i+1)); done; sleep 2.5; true",
                "TASKMETER_TASK", "early");
        Thread.sleep(1600);
        try (Shipper shipper = Shipper.start(TestSupport.config(dir, 200, 1000).build())) {
            assertEquals(0, p.waitFor());
            Thread.sleep(500);
        }
        List<UnitSeries> units = TestSupport.units(TestSupport.batches(dir.resolve("sink")),
                u -> "early".equals(u.tags().get("task")));
        assertFalse(units.isEmpty());
        assertTrue(units.stream().allMatch(UnitSeries::partial), "usage before the shipper started is unknown");
        UnitSeries first = units.get(0);
        assertTrue(first.base().t() > first.startedMs() + 1000, "the base is the first observed sample");
        assertTrue(first.base().cpuMillis() > 0, "which already holds the CPU burnt before: not counted as usage");
    }
}

package io.taskmeter.core.metadata;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What POST /v1/events accepts, from the shared fixtures and the listener plugin's shape. */
class PushedEventsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void prefectEventsSingleOrWrappedOrInAnArray() throws Exception {
        var running = Fixtures.json("prefect3-event-flow-run-running.json");
        var completed = Fixtures.json("prefect3-event-task-run-completed.json");
        List<MetadataRecord> one = PushedEvents.parse(running);
        assertEquals(1, one.size());
        assertEquals(MetadataRecord.FLOW_RUN, one.get(0).type());
        assertEquals("running", one.get(0).state());
        var wrapped = JSON.createObjectNode();
        wrapped.putArray("events").add(running).add(completed);
        assertEquals(2, PushedEvents.parse(wrapped).size());
        assertEquals(2, PushedEvents.parse(JSON.createArrayNode().add(running).add(completed)).size());
        assertEquals(1, PushedEvents.parse(Fixtures.json("prefect3-event-worker-executed-flow-run.json")).size());
    }

    @Test
    void airflowListenerBodyReadsLikeTheRestApi() throws Exception {
        List<MetadataRecord> r = PushedEvents.parse(JSON.readTree("""
                {"task_instances": [{"dag_id": "etl", "task_id": "load", "dag_run_id": "manual__1", "job_id": 42,
                  "try_number": 2, "map_index": 3, "hostname": "w1.internal", "pid": 77, "state": "failed",
                  "start_date": "2026-11-29T10:00:00+00:00", "end_date": "2026-11-29T10:05:00+00:00",
                  "executor_config": "{'pod_override': {'spec': {'containers': [{'name': 'base', 'resources': {'requests': {'cpu': '2'}}}]}}}"}]}
                """));
        assertEquals(1, r.size());
        MetadataRecord ti = r.get(0);
        assertEquals("42", ti.jobId());
        assertEquals(3, ti.mapIndex());
        assertEquals("failed", ti.state());
        assertEquals("2", ti.requests().cpuRequest());
        assertTrue(JoinRules.direct(ti).stream().anyMatch(d -> d.rule().equals("job_id")), "joins by job id");
    }

    @Test
    void unknownBodiesSayWhatWasExpected() throws Exception {
        MetadataFormatException e = assertThrows(MetadataFormatException.class,
                () -> PushedEvents.parse(JSON.readTree("{\"hello\": 1}")));
        assertTrue(e.getMessage().contains("Prefect event"), e.getMessage());
        assertThrows(MetadataFormatException.class, () -> PushedEvents.parse(JSON.readTree("{\"task_instances\": [{}]}")));
        assertThrows(MetadataFormatException.class, () -> PushedEvents.parse(JSON.readTree("42")));
    }
}

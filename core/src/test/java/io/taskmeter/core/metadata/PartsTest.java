package io.taskmeter.core.metadata;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class PartsTest {
    @Test
    void infrastructurePidInEveryFormat() {
        InfrastructurePid p = InfrastructurePid.parse("4242");
        assertEquals("process", p.kind());
        assertEquals(4242, p.pid());
        p = InfrastructurePid.parse("ip-10-0-1-5.ec2.internal:4242");
        assertEquals("process", p.kind());
        assertEquals("ip-10-0-1-5.ec2.internal", p.host());
        assertEquals(4242, p.pid());
        p = InfrastructurePid.parse("tcp://10.0.0.7:2375:9a8b7c6d5e4f");
        assertEquals("docker", p.kind());
        assertEquals("tcp://10.0.0.7:2375", p.dockerUrl());
        assertEquals("9a8b7c6d5e4f", p.containerId());
        p = InfrastructurePid.parse("default:my-flow-run-x7k2p");
        assertEquals("kubernetes", p.kind());
        assertEquals("default", p.namespace());
        assertEquals("my-flow-run-x7k2p", p.job());
        p = InfrastructurePid.parse("prod-cluster::arn:aws:ecs:eu-west-1:1:task/prod-cluster/abc");
        assertEquals("ecs", p.kind());
        assertEquals("prod-cluster", p.cluster());
        assertEquals("arn:aws:ecs:eu-west-1:1:task/prod-cluster/abc", p.taskArn());
        assertEquals("unknown", InfrastructurePid.parse("a:b:c:d").kind());
        assertEquals("unknown", InfrastructurePid.parse(":5").kind());
        assertNull(InfrastructurePid.parse("  "));
        assertNull(InfrastructurePid.parse("99999999999").pid(), "out of range pid is no pid");
    }

    @Test
    void timesInOddFormatsAndZones() {
        long t = Instant.parse("2024-05-02T00:00:00Z").toEpochMilli();
        assertEquals(t, Times.parseMs("2024-05-02T00:00:00Z"));
        assertEquals(t, Times.parseMs("2024-05-02T02:00:00+02:00"));
        assertEquals(t, Times.parseMs("2024-05-01T19:00:00-0500"));
        assertEquals(t, Times.parseMs("2024-05-02 00:00:00"));
        assertEquals(t, Times.parseMs("2024-05-02T00:00:00.000000000+00:00"));
        assertEquals(t, Times.parseMs("2024-05-02T00:00"));
        assertEquals(t, Times.parseMs("2024-05-02 00:00:00 UTC"));
        assertEquals(t, Times.parseMs(Long.toString(t / 1000)));
        assertEquals(t, Times.parseMs(Long.toString(t)));
        assertNull(Times.parseMs("yesterday"));
        assertNull(Times.parseMs(null));
        assertNull(Times.parseMs("None"));
    }

    @Test
    void requestsFromJobVariablesAndQuantities() {
        assertEquals("0.25", Requests.cpu("250m", false));
        assertEquals("0.5", Requests.cpu(512, true));
        assertNull(Requests.cpu("lots", false));
        assertEquals(Long.toString(1536L << 20), Requests.memory("1.5Gi", false));
        assertEquals(Long.toString(512L << 20), Requests.memory("512m", true), "docker 512m is MiB");
        assertEquals(Long.toString(512L << 20), Requests.memory(512, true), "a bare number in job variables is MiB");
        assertEquals("1000000000", Requests.memory("1G", false));
        assertEquals(new Requests("1", Long.toString(2L << 30), null, null, "prefect.job_variables"),
                Requests.fromJobVariables(Map.of("cpu", 1, "memory", 2048), false).orElseThrow(),
                "a small cpu number is cores, not ECS units");
        assertEquals(true, Requests.fromJobVariables(Map.of("image", "x"), false).isEmpty());
        assertEquals(true, Requests.fromExecutorConfig("not python {").isEmpty());
        assertEquals(true, Requests.fromExecutorConfig(null).isEmpty());
    }

    @Test
    void statesMapAndDecideSuccess() {
        assertEquals("success", States.prefect("COMPLETED"));
        assertEquals("crashed", States.prefect("StateType.CRASHED"));
        assertEquals("up_for_retry", States.airflow("TaskInstanceState.UP_FOR_RETRY"));
        assertNull(States.airflow("none"));
        assertEquals(true, States.succeeded(null, true), "no orchestrator state: finished on the host counts");
        assertEquals(false, States.succeeded("failed", true));
        assertEquals(false, States.succeeded("up_for_retry", true));
        assertEquals(true, States.succeeded("success", false));
    }

    @Test
    void documentsRoundTripAndTheirKeyFollowsContentNotObservation() throws Exception {
        List<MetadataRecord> rs = AirflowParser.taskInstances(Fixtures.json("airflow2-v1-task-instances.json"));
        MetadataDocument a = MetadataDocument.of("airflow", "airflow.example.com", 1_000L, rs);
        MetadataDocument b = MetadataDocument.of("airflow", "airflow.example.com", 2_000_000L, rs);
        assertEquals(a.key(), b.key());
        assertEquals(true, a.key().startsWith("metadata/v1/airflow/2024-05-02/"));
        MetadataDocument back = MetadataCodec.decode(MetadataCodec.encode(a));
        assertEquals(a, back);
        MetadataDocument other = MetadataDocument.of("airflow", "airflow.example.com", 1_000L, rs.subList(0, 2));
        assertEquals(false, a.key().equals(other.key()));
    }

    @Test
    void documentsOfAnotherFormatOrMajorVersionAreRefused() {
        for (String json : List.of("{\"format\":\"x\",\"version\":\"1.0\",\"records\":[]}",
                "{\"format\":\"taskmeter-metadata\",\"version\":\"2.0\",\"records\":[]}",
                "{\"format\":\"taskmeter-metadata\",\"version\":\"1.0\",\"records\":{}}", "[]", "not json")) {
            org.junit.jupiter.api.Assertions.assertThrows(MetadataFormatException.class,
                    () -> MetadataCodec.decodeJson(json.getBytes()), json);
        }
    }

    @Test
    void unknownFieldsAndANewerMinorVersionRead() throws Exception {
        String json = "{\"format\":\"taskmeter-metadata\",\"version\":\"1.7\",\"source\":\"prefect\",\"new\":1,"
                + "\"observed_ms\":5,\"records\":[{\"type\":\"flow_run\",\"source\":\"prefect\",\"id\":\"x\","
                + "\"later_field\":{\"a\":1},\"pid\":null}]}";
        MetadataDocument d = MetadataCodec.decodeJson(json.getBytes());
        assertEquals("x", d.records().get(0).id());
    }
}

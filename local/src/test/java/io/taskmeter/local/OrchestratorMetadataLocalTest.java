package io.taskmeter.local;

import com.fasterxml.jackson.databind.JsonNode;
import io.taskmeter.core.metadata.MetadataCodec;
import io.taskmeter.core.metadata.MetadataDocument;
import io.taskmeter.core.metadata.MetadataRecord;
import io.taskmeter.core.metadata.Requests;
import io.taskmeter.shipper.Shipper;
import io.taskmeter.shipper.ShipperConfig;
import io.taskmeter.testkit.AwsClients;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * End to end in the local mode, with orchestrator metadata: a simulated Prefect flow run (one JVM, three threads
 * running task runs of known CPU, one after another, in windows it records) and a simulated Airflow 3 worker (its title names the
 * TaskInstance), observed by the shipper; metadata documents describing them are written to the local S3 under
 * metadata/v1/ after the usage, as a poller would, and the report must attribute each task run's CPU within
 * ±10 % of what its thread used, and give the worker its task instance's identity, state and request.
 */
class OrchestratorMetadataLocalTest {

    @Test
    void taskRunsAndAnAirflow3WorkerGetTheirUsageFromLateMetadata() throws Exception {
        Path work = Files.createDirectories(Path.of("target", "local-orchestrator-test").toAbsolutePath());
        Path data = Files.createTempDirectory(work, "data");
        Path truthFile = work.resolve("flow-run-truth-" + System.nanoTime() + ".txt");
        Path workerStat = work.resolve("worker-stat-" + System.nanoTime() + ".txt");
        System.setProperty("aws.accessKeyId", "taskmeter");
        System.setProperty("aws.secretAccessKey", "taskmeter-local");
        System.setProperty("aws.disableEc2Metadata", "true");
        String hostId = "local-" + ShipperHost.id();
        String since = Instant.now().minusMillis(1000).toString();
        String flowRun = UUID.randomUUID().toString();
        String ti = UUID.randomUUID().toString();
        try (LocalPipeline pipeline = new LocalPipeline(data, 600)) {
            ShipperConfig config = new ShipperConfig(Duration.ofMillis(200), Duration.ofSeconds(1),
                    URI.create("s3://" + LocalPipeline.BUCKET + "/"), URI.create(pipeline.s3Endpoint()), "us-east-1",
                    hostId, data.resolve("spool"), 256L << 20, null, List.of());
            try (Shipper shipper = Shipper.start(config, pipeline::deliver)) {
                String java = ProcessHandle.current().info().command().orElse("java");
                ProcessBuilder flow = new ProcessBuilder(java, "-Xmx64m", "-XX:TieredStopAtLevel=1",
                        "-cp", Path.of("target", "test-classes").toAbsolutePath().toString(),
                        FlowRunSim.class.getName(), truthFile.toString(),
                        "extract:1200", "transform:700", "load:900");
                flow.environment().put("PREFECT__FLOW_RUN_ID", flowRun);
                flow.environment().put("PREFECT__FLOW_NAME", "sim-etl");
                flow.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
                Process flowProcess = flow.start();
                // Bash builtins only, so the worker's own utime+stime at the end is the whole truth.
                Process worker = new ProcessBuilder("bash", "-c", "exec -a 'airflow worker -- " + ti + "' bash -c '"
                        + "i=0; while [ $i -lt 250000 ]; do i=$((i+1)); done; cat /proc/$$/stat > " + workerStat
                        + "; sleep 0.5'").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .start();
                assertEquals(0, flowProcess.waitFor(), "the simulated flow run finished");
                assertEquals(0, worker.waitFor(), "the simulated worker finished");
                Thread.sleep(1500);
                shipper.flush();
            }
            Map<String, double[]> truth = new LinkedHashMap<>();
            for (String line : Files.readAllLines(truthFile)) {
                String[] f = line.split(" ");
                truth.put(f[0], new double[] {Long.parseLong(f[1]), Long.parseLong(f[2]), Double.parseDouble(f[3])});
            }
            assertEquals(3, truth.size(), truth.keySet().toString());
            double workerCpu = 0;
            {
                String s = Files.readString(workerStat);
                String[] fields = s.substring(s.lastIndexOf(')') + 2).split(" ");
                workerCpu = (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / 100.0;
            }
            writeMetadata(pipeline, flowRun, ti, truth);

            pipeline.writeReport();
            JsonNode report = Report.collect(pipeline, hostId, since);
            Map<String, JsonNode> byTask = new LinkedHashMap<>();
            for (JsonNode a : report.path("attempts")) {
                // Keyed by DAG/flow too: the shipper sees the whole machine, other builds' demos included.
                byTask.put(a.path("orchestrator").asText() + ":" + a.path("dag_or_flow").asText() + ":"
                        + a.path("task").asText(), a);
            }
            for (Map.Entry<String, double[]> e : truth.entrySet()) {
                JsonNode a = byTask.get("prefect:sim-etl:" + e.getKey() + "-3f2a");
                assertNotNull(a, e.getKey() + " in " + byTask.keySet());
                double cpu = a.path("usage").path("cpu_seconds").asDouble();
                System.out.printf("task run %s: %.3f cpu-s attributed, %.3f used by its thread%n", e.getKey(), cpu,
                        e.getValue()[2]);
                assertTrue(e.getValue()[2] > 0.6, "the thread burnt CPU: " + e.getValue()[2]);
                assertEquals(e.getValue()[2], cpu, e.getValue()[2] * 0.10, e.getKey() + ": " + a);
                assertEquals(flowRun, a.path("run").asText());
                assertEquals("success", a.path("orchestrator_metadata").path("state").asText());
                assertEquals(false, a.path("orchestrator_metadata").path("shared").asBoolean(true));
            }
            JsonNode whole = byTask.get("prefect:sim-etl:(flow run)");
            assertNotNull(whole, byTask.keySet().toString());
            assertEquals("sim-etl", whole.path("dag_or_flow").asText());
            assertEquals("orchestrator request (prefect.job_variables)", whole.path("allocation").path("source").asText());

            JsonNode train = byTask.get("airflow:sim_ml:train");
            assertNotNull(train, byTask.keySet().toString());
            double cpu = train.path("usage").path("cpu_seconds").asDouble();
            System.out.printf("airflow 3 worker: %.3f cpu-s attributed, %.3f by the kernel%n", cpu, workerCpu);
            assertTrue(workerCpu > 0.3, "the worker burnt CPU: " + workerCpu);
            assertEquals(workerCpu, cpu, workerCpu * 0.10, train.toString());
            assertEquals("sim_ml", train.path("dag_or_flow").asText());
            assertEquals("manual__sim", train.path("run").asText());
            assertEquals("2", train.path("try_number").asText());
            assertEquals("metadata:ti_id", train.path("attributed_by").asText());
            assertEquals("success", train.path("orchestrator_metadata").path("state").asText());
            assertEquals("orchestrator request (airflow.executor_config.pod_override)",
                    train.path("allocation").path("source").asText());
            assertEquals(0.5, train.path("allocation").path("cpus").asDouble(), 1e-9);
        }
    }

    /** What pollers would have written, from the simulation's own record of its windows. */
    private static void writeMetadata(LocalPipeline pipeline, String flowRun, String ti, Map<String, double[]> truth) {
        long start = Long.MAX_VALUE;
        long end = 0;
        List<MetadataRecord> prefect = new ArrayList<>();
        for (Map.Entry<String, double[]> e : truth.entrySet()) {
            long from = (long) e.getValue()[0];
            long to = (long) e.getValue()[1];
            start = Math.min(start, from);
            end = Math.max(end, to);
            prefect.add(MetadataRecord.builder(MetadataRecord.TASK_RUN, "prefect", "prefect")
                    .id(UUID.nameUUIDFromBytes(e.getKey().getBytes()).toString()).run(flowRun).dagOrFlow("sim-etl")
                    .task(e.getKey() + "-3f2a").taskName(e.getKey() + "-0").tryNumber(1).state("success")
                    .rawState("Completed").startMs(from).endMs(to).updatedMs(to + 1).build());
        }
        prefect.add(MetadataRecord.builder(MetadataRecord.FLOW_RUN, "prefect", "prefect").id(flowRun).run(flowRun)
                .dagOrFlow("sim-etl").state("success").rawState("Completed").startMs(start - 1000).endMs(end + 700)
                .updatedMs(end + 800).workPool("local-process")
                .requests(Requests.fromJobVariables(Map.of("cpu_request", "1"), false).orElseThrow()).build());
        MetadataRecord taskInstance = MetadataRecord.builder(MetadataRecord.TASK_INSTANCE, "airflow", "airflow-v2")
                .id(ti).dagOrFlow("sim_ml").task("train").run("manual__sim").tryNumber(2).mapIndex(-1)
                .state("success").startMs(start - 1000).endMs(end).executor("KubernetesExecutor")
                .requests(Requests.fromExecutorConfig("{'pod_override': {'spec': {'containers': [{'name': 'base', "
                        + "'resources': {'requests': {'cpu': '500m', 'memory': '512Mi'}}}]}}}").orElseThrow())
                .build();
        try (S3Client s3 = AwsClients.s3(URI.create(pipeline.s3Endpoint()))) {
            for (MetadataDocument doc : List.of(MetadataDocument.of("prefect", "prefect.local", end, prefect),
                    MetadataDocument.of("airflow", "airflow.local", end, List.of(taskInstance)))) {
                s3.putObject(b -> b.bucket(LocalPipeline.BUCKET).key(doc.key()),
                        RequestBody.fromBytes(MetadataCodec.encode(doc)));
            }
        }
    }
}

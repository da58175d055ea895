package io.taskmeter.aws;

import io.taskmeter.core.batch.Batch;
import io.taskmeter.core.batch.HostInfo;
import io.taskmeter.core.batch.Sample;
import io.taskmeter.core.batch.UnitSeries;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A realistic day's fragment as shippers would upload it: two hosts, one of which reboots (two boot ids, its
 * sequence numbers starting again at 1), Airflow 2 tasks recognised first by their runner's title and later also
 * by their child's AIRFLOW_CTX_* environment (so tags and "how" grow richer between batches), two tries of one
 * task, an Airflow 3 task, a Prefect flow run and a generic job; units that start and end inside batches, 60
 * one-second samples per batch with cumulative counters carried across batches.
 */
final class PipelineScenario {
    static final long T0 = 1_763_800_000_000L; // 2025-11-22T08:26:40Z
    static final int SAMPLES = 60;

    private PipelineScenario() {
    }

    /** One unit's life over a host boot's batches. */
    private record Plan(String unitId, int pid, long ticks, String kind, Map<String, String> earlyTags,
                        String earlyHow, Map<String, String> lateTags, String lateHow, String command,
                        int firstSeq, int startSample, int lastSeq, int endSample, boolean ends, double cores,
                        long rss, long ioPerSecond) {
    }

    /** The batches of the scenario, in the order a single shipper per boot would have uploaded them. */
    static List<Batch> batches() {
        List<Batch> out = new ArrayList<>();
        Random r = new Random(7);
        // host-a, first boot: two tries of etl/extract, a Prefect flow run, a generic job.
        List<Plan> a1 = List.of(
                airflow2("boot-a1", 3101, "etl", "extract", "scheduled__2025-11-22", "101", "1", 1, 10, 3, 40, true,
                        1.6, 300L << 20, 2_000_000),
                airflow2("boot-a1", 3377, "etl", "extract", "scheduled__2025-11-22", "102", "2", 3, 50, 5, 30, true,
                        1.2, 280L << 20, 1_500_000),
                new Plan("boot-a1/2900/51000", 2900, 51000, "prefect",
                        Map.of("flow_run_id", "6d0a0c8e-0b1f-4a53-9a1e-1f0e4f3d2c11", "flow_name", "nightly-report"),
                        "env", Map.of("flow_run_id", "6d0a0c8e-0b1f-4a53-9a1e-1f0e4f3d2c11",
                        "flow_name", "nightly-report", "deployment_name", "nightly"), "env",
                        "python -m prefect.engine", 1, 0, 4, 20, true, 0.4, 900L << 20, 200_000),
                new Plan("boot-a1/4100/52000", 4100, 52000, "generic",
                        Map.of("flow", "backfill", "task", "compact", "run", "r-17"), "env",
                        Map.of("flow", "backfill", "task", "compact", "run", "r-17"), "env",
                        "taskmeter-run backfill compact", 2, 5, 5, 59, false, 0.9, 120L << 20, 8_000_000));
        out.addAll(host("host-a", "boot-a1", 0, 5, a1, r));
        // host-a after a reboot: seq starts at 1 again, under a new boot id.
        List<Plan> a2 = List.of(
                airflow2("boot-a2", 812, "etl", "load", "scheduled__2025-11-22", "103", "1", 1, 5, 2, 50, true,
                        0.7, 500L << 20, 12_000_000),
                airflow2("boot-a2", 990, "etl", "extract", "scheduled__2025-11-22", "104", "3", 1, 30, 3, 10, true,
                        1.1, 260L << 20, 1_000_000));
        out.addAll(host("host-a", "boot-a2", 6 * 60_000L, 3, a2, r));
        // host-b: an Airflow 3 task (TaskInstance id in the title), and a long Airflow 2 task still running.
        Map<String, String> af3early = Map.of("ti_id", "0192f0a4-8c1e-7d2b-a1c3-5e6f7a8b9c0d");
        Map<String, String> af3late = new LinkedHashMap<>(af3early);
        af3late.putAll(Map.of("dag_id", "ml", "task_id", "train", "run_id", "manual__2025-11-22", "try_number", "1",
                "cpu_request", "2", "memory_request", "4Gi"));
        List<Plan> b1 = List.of(
                new Plan("boot-b1/7000/88000", 7000, 88000, "airflow", af3early, "title", af3late, "title+env",
                        "airflow worker -- 0192f0a4-8c1e-7d2b-a1c3-5e6f7a8b9c0d", 1, 3, 4, 45, true, 1.9,
                        2L << 30, 30_000_000),
                airflow2("boot-b1", 7300, "ml", "features", "manual__2025-11-22", "205", "1", 2, 0, 4, 59, false,
                        0.25, 700L << 20, 40_000));
        out.addAll(host("host-b", "boot-b1", 30_000L, 4, b1, r));
        return out;
    }

    static final String FLOW_RUN = "6d0a0c8e-0b1f-4a53-9a1e-1f0e4f3d2c11";
    static final String TI_ID = "0192f0a4-8c1e-7d2b-a1c3-5e6f7a8b9c0d";

    /**
     * What the orchestrators say about the same fragment, as pollers would write it: Airflow 2 REST task
     * instances without job ids (joined on host, pid and start), polled twice with the newer poll first in
     * the list; an Airflow 3 task instance with its id and a pod_override request; a Prefect flow run with job
     * variables and three task runs, two of which overlap; records that match nothing; and nothing about
     * ml/features, which stays unattributed.
     */
    static List<io.taskmeter.core.metadata.MetadataDocument> metadata() {
        String run = "scheduled__2025-11-22";
        var later = io.taskmeter.core.metadata.MetadataDocument.of("airflow", "airflow.example", T0 + 900_000, List.of(
                ti("etl", "extract", run, 1, "host-a.ec2.internal", 3101, T0 + 11_000, T0 + 160_000, "up_for_retry",
                        null),
                ti("etl", "extract", run, 2, "host-a.ec2.internal", 3377, T0 + 171_000, T0 + 270_000, "failed", null),
                ti("etl", "extract", run, 3, "HOST-A", 990, T0 + 391_000, T0 + 490_000, "success", null),
                ti("etl", "load", run, 1, "host-a", 812, T0 + 366_000, T0 + 470_000, "success",
                        "{'pod_override': {'spec': {'containers': [{'name': 'base', 'resources': "
                                + "{'requests': {'cpu': '500m', 'memory': '1Gi'}}}]}}}"),
                // ml/features (host-b, still running) is never described: it stays unattributed on host-b.
                // Same task instance key on another host at the same time: must join nothing.
                ti("etl", "load", run, 1, "host-c", 812, T0 + 366_000, T0 + 470_000, "success", null),
                io.taskmeter.core.metadata.MetadataRecord.builder("dag_run", "airflow", "airflow-v1").dagOrFlow("etl")
                        .run(run).state("success").startMs(T0).endMs(T0 + 500_000L).build()));
        var earlier = io.taskmeter.core.metadata.MetadataDocument.of("airflow", "airflow.example", T0 + 400_000,
                List.of(ti("etl", "extract", run, 3, "host-a", 990, T0 + 391_000, null, "running", null)));
        var airflow3 = io.taskmeter.core.metadata.MetadataDocument.of("airflow", "airflow3.example", T0 + 900_000,
                List.of(io.taskmeter.core.metadata.MetadataRecord.builder("task_instance", "airflow", "airflow-v2")
                        .id(TI_ID).dagOrFlow("ml").task("train").run("manual__2025-11-22").tryNumber(1).mapIndex(-1)
                        .state("success").startMs(T0 + 33_000L).endMs(T0 + 250_000L).hostname("host-b").pid(7000)
                        .requests(io.taskmeter.core.metadata.Requests.fromExecutorConfig(
                                "{\"pod_override\": {\"spec\": {\"containers\": [{\"name\": \"base\", "
                                        + "\"resources\": {\"requests\": {\"cpu\": \"1500m\", \"memory\": \"3Gi\"}}}]}}}")
                                .orElseThrow())
                        .build()));
        String flowRun = FLOW_RUN;
        var prefect = io.taskmeter.core.metadata.MetadataDocument.of("prefect", "prefect.example", T0 + 900_000,
                List.of(io.taskmeter.core.metadata.MetadataRecord.builder("flow_run", "prefect", "prefect").id(flowRun)
                                .dagOrFlow("nightly-report").run(flowRun).state("success").rawState("Completed")
                                .startMs(T0).endMs(T0 + 200_000L).updatedMs(T0 + 201_000L).workPool("local-pool")
                                .requests(io.taskmeter.core.metadata.Requests.fromJobVariables(
                                        Map.of("cpu_request", "1", "memory_request", "2Gi"), false).orElseThrow())
                                .build(),
                        taskRun("tr-1", flowRun, "fetch-3f2a", T0 + 5_000L, T0 + 60_000L),
                        taskRun("tr-2", flowRun, "render-9c1d", T0 + 70_000L, T0 + 130_000L),
                        taskRun("tr-3", flowRun, "upload-77ab", T0 + 120_000L, T0 + 190_000L)));
        // A pushed event after the poll: it knows only the state, which must not erase the rest.
        var pushed = io.taskmeter.core.metadata.MetadataDocument.of("prefect", "prefect-events", T0 + 950_000,
                List.of(io.taskmeter.core.metadata.MetadataRecord.builder("flow_run", "prefect", "prefect-event")
                        .id(flowRun).run(flowRun).state("success").rawState("Completed").updatedMs(T0 + 202_000L)
                        .build()));
        return List.of(later, earlier, airflow3, prefect, pushed);
    }

    private static io.taskmeter.core.metadata.MetadataRecord ti(String dag, String task, String run, int tryNumber,
                                                                 String host, int pid, long start, Long end,
                                                                 String state, String executorConfig) {
        return io.taskmeter.core.metadata.MetadataRecord.builder("task_instance", "airflow", "airflow-v1")
                .dagOrFlow(dag).task(task).run(run).tryNumber(tryNumber).mapIndex(-1).hostname(host).pid(pid)
                .startMs(start).endMs(end).state(state).queue("default").operator("PythonOperator")
                .requests(executorConfig == null ? null
                        : io.taskmeter.core.metadata.Requests.fromExecutorConfig(executorConfig).orElseThrow())
                .build();
    }

    private static io.taskmeter.core.metadata.MetadataRecord taskRun(String id, String flowRun, String key,
                                                                     long start, long end) {
        return io.taskmeter.core.metadata.MetadataRecord.builder("task_run", "prefect", "prefect").id(id)
                .dagOrFlow("nightly-report").task(key).taskName(key.substring(0, key.indexOf('-')) + "-0")
                .run(flowRun).tryNumber(1).state("success").startMs(start).endMs(end).updatedMs(end + 500).build();
    }

    private static Plan airflow2(String boot, int pid, String dag, String task, String run, String job, String tryN,
                                 int firstSeq, int startSample, int lastSeq, int endSample, boolean ends,
                                 double cores, long rss, long io) {
        Map<String, String> early = Map.of("dag_id", dag, "task_id", task, "run_id", run, "job_id", job);
        Map<String, String> late = new LinkedHashMap<>(early);
        late.put("try_number", tryN);
        return new Plan(boot + "/" + pid + "/" + (pid * 17L), pid, pid * 17L, "airflow", early, "title", late,
                "title+env", "airflow task runner: " + dag + " " + task + " " + run + " " + job, firstSeq,
                startSample, lastSeq, endSample, ends, cores, rss, io);
    }

    private static List<Batch> host(String host, String boot, long offsetMs, int batches, List<Plan> plans,
                                     Random r) {
        List<Batch> out = new ArrayList<>();
        Map<String, Sample> carried = new LinkedHashMap<>();
        HostInfo shape = new HostInfo(4, 16L << 30, "m5.xlarge", "config", "Linux 6.8");
        for (int seq = 1; seq <= batches; seq++) {
            long start = T0 + offsetMs + (seq - 1) * SAMPLES * 1000L;
            List<UnitSeries> units = new ArrayList<>();
            for (Plan p : plans) {
                if (seq < p.firstSeq() || seq > p.lastSeq()) {
                    continue;
                }
                long startedMs = T0 + offsetMs + (p.firstSeq() - 1) * SAMPLES * 1000L + p.startSample() * 1000L;
                int from = seq == p.firstSeq() ? p.startSample() : 0;
                int to = seq == p.lastSeq() ? p.endSample() : SAMPLES;
                Sample base = carried.getOrDefault(p.unitId(), Sample.zeroAt(start + from * 1000L));
                List<Sample> samples = new ArrayList<>();
                Sample prev = base;
                for (int i = from + 1; i <= to; i++) {
                    double busy = Math.max(0, p.cores() * (0.7 + 0.6 * r.nextDouble()));
                    long cpu = prev.cpuMillis() + Math.min(3900, Math.round(busy * 1000));
                    long io = r.nextInt(4) == 0 ? 0 : p.ioPerSecond();
                    long rss = p.rss() + (long) (r.nextDouble() * (p.rss() / 10));
                    samples.add(new Sample(start + i * 1000L, cpu, rss, Math.max(rss, prev.hwmBytes()),
                            prev.readBytes() + io / 4, prev.writeBytes() + io / 2, prev.rchar() + io,
                            prev.wchar() + io / 2 + 512, 1 + r.nextInt(3), prev.spawned() + (r.nextInt(10) == 0 ? 1 : 0)
                            + (prev.spawned() == 0 ? 1 : 0), r.nextInt(2), r.nextInt(20) == 0 ? 1 : 0));
                    prev = samples.get(samples.size() - 1);
                }
                carried.put(p.unitId(), prev);
                boolean late = seq > p.firstSeq();
                Long ended = p.ends() && seq == p.lastSeq() ? prev.t() + 500 : null;
                units.add(new UnitSeries(p.unitId(), p.pid(), p.ticks(), startedMs, ended, p.kind(),
                        late ? p.lateHow() : p.earlyHow(), late ? p.lateTags() : p.earlyTags(), p.command(), base,
                        samples, false));
            }
            out.add(new Batch(Batch.FORMAT, Batch.VERSION, host, boot, "0.1.0", seq, start,
                    start + SAMPLES * 1000L, 1000, shape, 0, units));
        }
        return out;
    }
}

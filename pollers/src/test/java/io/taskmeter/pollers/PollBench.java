package io.taskmeter.pollers;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.time.Duration;

/**
 * What a poll costs against a large Airflow: {@code N} task instances (half running, half ended) on a fake Airflow 2
 * over real HTTP, pages of 100, four polls (the first sends everything, the rest nothing). Not a test: run by hand,
 * {@code java -cp <pollers test classpath> io.taskmeter.pollers.PollBench 10000}. Wall time includes the fake
 * server's own filtering; CPU is the polling thread's (JSON parsing, hashing, the state file).
 */
public final class PollBench {
    private PollBench() {
    }

    public static void main(String[] a) throws Exception {
        int n = Integer.parseInt(a[0]);
        try (FakeAirflow airflow = new FakeAirflow(2)) {
            for (int i = 0; i < n; i++) {
                boolean running = i % 2 == 0;
                var ti = FakeServer.JSON.createObjectNode().put("dag_id", "d" + (i % 50)).put("task_id", "t" + i)
                        .put("dag_run_id", "scheduled__2024-05-02").put("state", running ? "running" : "success")
                        .put("try_number", 1).put("map_index", -1).put("start_date", "2024-05-02T09:00:00Z")
                        .put("hostname", "worker-" + (i % 20)).put("pid", 1000 + i).put("pool", "default_pool")
                        .put("queue", "default").put("operator", "PythonOperator").put("executor_config", "{}");
                if (!running) {
                    ti.put("end_date", "2024-05-02T09:30:00Z");
                }
                airflow.taskInstances.add(ti);
            }
            PollerConfig cfg = PollerConfig.of("airflow", airflow.url(), AirflowPollerTest.GOOD, Collected.newDir())
                    .withWindow(Duration.ofMinutes(10), Duration.ofHours(12));
            PollLoop loop = new PollLoop(new AirflowPoller(cfg), cfg, d -> { }, () -> AirflowPollerTest.AIRFLOW2_NOW);
            ThreadMXBean mx = ManagementFactory.getThreadMXBean();
            for (int round = 0; round < 4; round++) {
                int before = airflow.requests.size();
                long c0 = mx.getCurrentThreadCpuTime();
                long t0 = System.nanoTime();
                int sent = loop.pollOnce();
                long ms = (System.nanoTime() - t0) / 1_000_000;
                long cpu = (mx.getCurrentThreadCpuTime() - c0) / 1_000_000;
                System.out.printf("poll %d: %d records sent, %d requests, %d ms wall, %d ms CPU on the polling thread, "
                        + "state file %d bytes%n", round, sent, airflow.requests.size() - before, ms, cpu,
                        Files.size(cfg.stateFile()));
            }
        }
    }
}

package io.taskmeter.local;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * A built-in workload of real processes shaped like Airflow 2 and 3 tasks and a Prefect flow run. The
 * processes really burn CPU, write and read bytes, hold memory, sleep and spawn; only their titles and
 * environment imitate the orchestrators, since none runs here.
 */
final class Demo {
    private Demo() {
    }

    static List<Process> start(Path scratch, String stamp) throws IOException {
        String run = "manual__" + stamp;
        String ctx = "AIRFLOW_CTX_DAG_ID=demo_etl AIRFLOW_CTX_DAG_RUN_ID=" + run + " AIRFLOW_CTX_TRY_NUMBER=1";
        List<Process> ps = new ArrayList<>();
        // Airflow 2, CPU-bound: the runner's title, a child that burns CPU with the task's AIRFLOW_CTX_* env.
        ps.add(airflow2("transform", run, 101, ctx + " AIRFLOW_CTX_TASK_ID=transform bash -c "
                + "'for n in 1 2; do (i=0; while [ $i -lt 500000 ]; do i=$((i+1)); done) & done; wait'"));
        // Airflow 2, I/O-heavy: writes 256 MiB with fsync, reads it back.
        Path file = scratch.resolve("load-" + stamp + ".bin");
        ps.add(airflow2("load", run, 102, ctx + " AIRFLOW_CTX_TASK_ID=load bash -c 'dd if=/dev/zero of=" + file
                + " bs=1M count=256 conv=fsync 2>/dev/null; dd if=" + file + " of=/dev/null bs=1M iflag=direct "
                + "2>/dev/null; rm -f " + file + "'"));
        // Airflow 2, idle: waits on an "external system" without using anything.
        ps.add(airflow2("wait_for_partner", run, 103, ctx + " AIRFLOW_CTX_TASK_ID=wait_for_partner sleep 14"));
        // Airflow 3, memory-heavy: the worker's title names the TaskInstance; a child holds ~300 MB.
        String ti = UUID.randomUUID().toString();
        ps.add(bash("exec -a 'airflow worker -- " + ti + "' bash -c \"" + dq(ctx.replace("demo_etl", "demo_ml")
                + " AIRFLOW_CTX_TASK_ID=train TASKMETER_CPU_REQUEST=1 TASKMETER_MEMORY_REQUEST=512Mi bash -c 'x=$(yes aaaaaaaaaaaaaaa | head -c 300000000); sleep 4'")
                + "; sleep 1\"", List.of()));
        // Prefect flow run: many short-lived subprocesses.
        ps.add(bash("for n in $(seq 300); do /bin/true; sh -c 'i=0; while [ $i -lt 300 ]; do i=$((i+1)); done'; "
                + "done; sleep 1", List.of("PREFECT__FLOW_RUN_ID=" + UUID.randomUUID(), "PREFECT__FLOW_NAME=demo-ingest",
                "PREFECT__DEPLOYMENT_NAME=demo-ingest/local")));
        return ps;
    }

    private static Process airflow2(String task, String run, int job, String child) throws IOException {
        return bash("exec -a 'airflow task runner: demo_etl " + task + " " + run + " " + job + "' bash -c \""
                + dq(child) + "; sleep 1\"", List.of());
    }

    /** Quotes for inside "...": the outer bash must pass $, quotes and backslashes to the inner one. */
    private static String dq(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("$", "\\$").replace("`", "\\`");
    }

    private static Process bash(String script, List<String> env) throws IOException {
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", script);
        for (String e : env) {
            int eq = e.indexOf('=');
            pb.environment().put(e.substring(0, eq), e.substring(eq + 1));
        }
        pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        return pb.start();
    }
}

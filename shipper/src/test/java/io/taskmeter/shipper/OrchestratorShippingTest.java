package io.taskmeter.shipper;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.taskmeter.core.metadata.MetadataCodec;
import io.taskmeter.core.metadata.MetadataDocument;
import io.taskmeter.core.metadata.MetadataRecord;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The shipper's --orchestrator against an Airflow 2 REST API over real HTTP, with a directory sink. */
class OrchestratorShippingTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String PASSWORD = "s3cret-airflow-pw";

    @Test
    void helpNamesTheOrchestrators() throws Exception {
        MainTest.Run r = MainTest.main(Map.of(), "--help");
        for (String option : Orchestrators.OPTIONS) {
            assertTrue(r.out().contains(option), option + " missing from --help");
        }
        for (String env : List.of("TASKMETER_AIRFLOW_USERNAME", "TASKMETER_AIRFLOW_PASSWORD",
                "TASKMETER_AIRFLOW_TOKEN", "TASKMETER_PREFECT_API_KEY", "TASKMETER_ORCHESTRATOR")) {
            assertTrue(r.out().contains(env), env);
        }
        MainTest.Run bad = MainTest.main(Map.of(), "--sink", "file:///tmp/x", "--orchestrator", "oozie=http://h");
        assertEquals(2, bad.exit());
        assertTrue(bad.err().contains("orchestrator must be airflow or prefect"), bad.err());
    }

    @Test
    void onceShipsAirflowMetadataDocumentsUnderMetadataV1() throws Exception {
        long now = System.currentTimeMillis();
        HttpServer airflow = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        airflow.createContext("/api/v1", ex -> answer(ex, now));
        airflow.start();
        try {
            Path dir = TestSupport.newDir();
            String url = "http://127.0.0.1:" + airflow.getAddress().getPort();
            MainTest.Run r = MainTest.main(Map.of("TASKMETER_AIRFLOW_USERNAME", "taskmeter",
                            "TASKMETER_AIRFLOW_PASSWORD", PASSWORD),
                    "--once", "--batch-seconds", "1", "--interval", "200ms", "--host-id", "poll-host",
                    "--sink", "file://" + dir.resolve("sink"), "--spool-dir", dir.resolve("spool").toString(),
                    "--orchestrator", "airflow=" + url);
            assertEquals(0, r.exit(), r.err());
            assertFalse(r.err().contains(PASSWORD) || r.out().contains(PASSWORD), "the password was printed");

            List<Path> docs;
            try (Stream<Path> files = Files.walk(dir.resolve("sink/metadata/v1/airflow"))) {
                docs = files.filter(f -> f.toString().endsWith(".json.gz")).toList();
            }
            assertEquals(1, docs.size(), "one document: " + docs);
            MetadataDocument doc = MetadataCodec.decode(Files.readAllBytes(docs.get(0)));
            assertEquals(dir.resolve("sink").resolve(doc.key()), docs.get(0), "stored under its own key");
            TreeSet<String> got = new TreeSet<>();
            for (MetadataRecord rec : doc.records()) {
                got.add(rec.dagOrFlow() + "/" + rec.task() + " " + rec.rawState() + " " + rec.hostname() + ":"
                        + rec.pid());
            }
            assertEquals(new TreeSet<>(List.of("etl/extract running worker-1:101",
                    "etl/load success worker-2:102")), got);
            assertFalse(TestSupport.batches(dir.resolve("sink/batches")).isEmpty(), "batches still ship alongside");
            try (Stream<Path> state = Files.list(dir.resolve("orchestrator-state"))) {
                assertEquals(1, state.filter(f -> f.toString().endsWith(".state.json")).count());
            }
        } finally {
            airflow.stop(0);
        }
    }

    /** Airflow 2: basic auth; one running try (state query), one that ended five minutes ago (end-date query). */
    private static void answer(HttpExchange ex, long now) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            String query = ex.getRequestURI().getQuery() == null ? "" : ex.getRequestURI().getQuery();
            String basic = "Basic " + Base64.getEncoder().encodeToString(("taskmeter:" + PASSWORD)
                    .getBytes(StandardCharsets.UTF_8));
            ObjectNode body = JSON.createObjectNode();
            int status = 200;
            if (path.equals("/api/v1/version")) {
                body.put("version", "2.10.5");
            } else if (!basic.equals(ex.getRequestHeaders().getFirst("Authorization"))) {
                status = 401;
                body.put("detail", "Unauthorized");
            } else if (path.equals("/api/v1/dags/~/dagRuns/~/taskInstances")) {
                ArrayNode tis = body.putArray("task_instances");
                if (query.contains("state=running")) {
                    tis.add(ti("extract", "running", now - 60_000, null, "worker-1", 101));
                } else if (query.contains("end_date_gte=")) {
                    tis.add(ti("load", "success", now - 600_000, now - 300_000, "worker-2", 102));
                }
                body.put("total_entries", tis.size());
            } else if (path.equals("/api/v1/dags/~/dagRuns")) {
                body.putArray("dag_runs");
                body.put("total_entries", 0);
            } else {
                status = 404;
            }
            byte[] out = JSON.writeValueAsBytes(body);
            ex.sendResponseHeaders(status, out.length);
            ex.getResponseBody().write(out);
        }
    }

    private static ObjectNode ti(String task, String state, long start, Long end, String host, int pid) {
        ObjectNode n = JSON.createObjectNode().put("dag_id", "etl").put("task_id", task)
                .put("dag_run_id", "scheduled__x").put("state", state).put("try_number", 1).put("map_index", -1)
                .put("start_date", Instant.ofEpochMilli(start).toString()).put("hostname", host).put("pid", pid);
        if (end != null) {
            n.put("end_date", Instant.ofEpochMilli(end).toString());
        }
        return n;
    }

}

package io.taskmeter.pollers;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.taskmeter.core.metadata.MetadataDocument;
import io.taskmeter.core.metadata.MetadataRecord;
import io.taskmeter.core.metadata.Times;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Airflow 2 and 3 pollers against fake Airflow servers over real HTTP. */
class AirflowPollerTest {
    static final Credentials GOOD = new Credentials(FakeAirflow.USER, FakeAirflow.PASSWORD, null, null);
    static final int BULK = 22;

    /** Airflow 2 fixtures plus {@link #BULK} finished tries, so the ended query spans three pages of ten. */
    static FakeAirflow airflow2() {
        FakeAirflow a = new FakeAirflow(2);
        a.taskInstances.addAll(FakeServer.fixture("airflow2-v1-task-instances.json", "task_instances"));
        for (int i = 0; i < BULK; i++) {
            a.taskInstances.add(FakeServer.JSON.createObjectNode().put("dag_id", "bulk")
                    .put("task_id", String.format("t%02d", i)).put("dag_run_id", "scheduled__2024-05-02")
                    .put("state", "success").put("try_number", 1).put("map_index", -1)
                    .put("start_date", "2024-05-02T00:30:00+00:00").put("end_date", "2024-05-02T00:40:00+00:00")
                    .put("hostname", "worker-9").put("pid", 1000 + i));
        }
        a.dagRuns.addAll(FakeServer.fixture("airflow-dag-runs.json", "dag_runs"));
        return a;
    }

    static PollerConfig config(FakeServer server, Credentials c, Path stateDir) {
        return PollerConfig.of("airflow", server.url(), c, stateDir).withPaging(10, 8)
                .withWindow(Duration.ofMinutes(10), Duration.ofHours(12)).withTimeout(Duration.ofSeconds(5));
    }

    static final long AIRFLOW2_NOW = Times.parseMs("2024-05-02T10:00:00Z");

    static Set<String> expectedAirflow2() {
        Set<String> expected = new TreeSet<>(List.of(
                // active: running and queued
                "etl_daily/extract/-1/1 running", "ml_train/train/-1/2 running", "old_style/legacy_k8s/-1/0 queued",
                // ended since the look-back start (2024-05-01T22:00Z)
                "etl_daily/transform/-1/1 success", "etl_daily/load/-1/1 up_for_retry",
                "ml_train/score/3/1 success",
                "run etl_daily/scheduled__2024-05-01T00:00:00+00:00 running",
                "run ml_train/manual__2025-06-02 success"));
        for (int i = 0; i < BULK; i++) {
            expected.add(String.format("bulk/t%02d/-1/1 success", i));
        }
        return expected;
    }

    @Test
    void airflow2PollsEveryPageOnceAndThenOnlyWhatChanged() throws Exception {
        try (FakeAirflow airflow = airflow2()) {
            Path dir = Collected.newDir();
            Collected out = new Collected();
            AtomicLong now = new AtomicLong(AIRFLOW2_NOW);
            PollerConfig cfg = config(airflow, GOOD, dir);
            AirflowPoller poller = new AirflowPoller(cfg);
            PollLoop loop = new PollLoop(poller, cfg, out, now::get);

            assertEquals(30, loop.pollOnce());
            assertEquals("/api/v1", poller.api(), "an Airflow 2 server is read through API v1");
            List<String> got = out.described();
            assertEquals(got.size(), new HashSet<>(got).size(), "no record twice: " + got);
            assertEquals(expectedAirflow2(), new TreeSet<>(got));
            for (MetadataDocument d : out.documents) {
                assertTrue(d.records().size() <= 8, "at most 8 records per document");
                assertEquals("airflow", d.source());
                assertEquals(airflow.url().getHost() + ":" + airflow.url().getPort(), d.instance());
                assertTrue(d.key().startsWith("metadata/v1/airflow/"), d.key());
            }
            assertEquals(4, out.documents.size());
            List<FakeServer.Request> ended = airflow.requests("/taskInstances").stream()
                    .filter(r -> r.param("end_date_gte") != null).toList();
            assertEquals(List.of("0", "10", "20"), ended.stream().map(r -> r.param("offset")).toList(),
                    "25 ended tries read in three pages of ten");
            assertEquals("2024-05-01T22:00:00Z", ended.get(0).param("end_date_gte"), "first poll: the look-back");
            MetadataRecord extract = out.records().stream()
                    .filter(r -> "extract".equals(r.task()) && "etl_daily".equals(r.dagOrFlow())).findFirst()
                    .orElseThrow();
            assertEquals("ip-10-0-1-5.ec2.internal", extract.hostname());
            assertEquals(4242, extract.pid());

            out.clear();
            assertEquals(0, loop.pollOnce(), "nothing changed, nothing sent");
            assertTrue(out.documents.isEmpty());

            synchronized (airflow) {
                airflow.taskInstance("bulk", "t05").put("note", "a field the parsers ignore");
                airflow.taskInstance("etl_daily", "extract").put("state", "success")
                        .put("end_date", "2024-05-02T09:30:00+00:00");
            }
            assertEquals(1, loop.pollOnce(), "only the record whose content changed");
            assertEquals(List.of("etl_daily/extract/-1/1 success"), out.described());
            assertEquals(0, loop.pollOnce());
            assertEquals("2024-05-02T09:20:00Z", lastEndBound(airflow),
                    "the next poll looks back from the newest end (09:30) by the overlap");
        }
    }

    @Test
    void aRestartedPollerNeitherMissesNorRepeats() throws Exception {
        try (FakeAirflow airflow = airflow2()) {
            Path dir = Collected.newDir();
            Collected out = new Collected();
            PollerConfig cfg = config(airflow, GOOD, dir);
            assertEquals(30, new PollLoop(new AirflowPoller(cfg), cfg, out, () -> AIRFLOW2_NOW).pollOnce());

            // The shipper is down while a try ends.
            synchronized (airflow) {
                airflow.taskInstance("ml_train", "train").put("state", "success")
                        .put("end_date", "2024-05-02T09:40:00+00:00");
            }
            out.clear();
            PollLoop restarted = new PollLoop(new AirflowPoller(cfg), cfg, out, () -> AIRFLOW2_NOW + 60_000);
            assertEquals(1, restarted.pollOnce());
            assertEquals(List.of("ml_train/train/-1/2 success"), out.described());
            // score ended at 09:03: the cursor kept across the restart is that, not the look-back
            assertEquals("2024-05-02T08:53:00Z", lastEndBound(airflow));

            out.clear();
            PollLoop again = new PollLoop(new AirflowPoller(cfg), cfg, out, () -> AIRFLOW2_NOW + 120_000);
            assertEquals(0, again.pollOnce(), "a second restart sends nothing");
            assertEquals("2024-05-02T09:30:00Z", lastEndBound(airflow));
        }
    }

    @Test
    void aRetriedTryAndATryStampedBeforeTheWindowAreFollowedToTheirEnd() throws Exception {
        try (FakeAirflow airflow = airflow2()) {
            Collected out = new Collected();
            PollerConfig cfg = config(airflow, GOOD, Collected.newDir());
            PollLoop loop = new PollLoop(new AirflowPoller(cfg), cfg, out, () -> AIRFLOW2_NOW);
            assertEquals(30, loop.pollOnce());

            synchronized (airflow) {
                // Between two polls try 1 of extract fails and try 2 starts: the list shows only try 2.
                ObjectNode extract = airflow.taskInstance("etl_daily", "extract");
                airflow.history.add(extract.deepCopy().put("state", "up_for_retry")
                        .put("end_date", "2024-05-02T09:50:00+00:00"));
                extract.put("try_number", 2).put("start_date", "2024-05-02T09:55:00+00:00").put("pid", 4300);
                // train ends on a worker whose clock is a day behind: its end is far before the window.
                airflow.taskInstance("ml_train", "train").put("state", "success")
                        .put("end_date", "2024-05-01T09:00:00+00:00");
            }
            out.clear();
            loop.pollOnce();
            assertEquals(new TreeSet<>(List.of("etl_daily/extract/-1/1 up_for_retry",
                    "etl_daily/extract/-1/2 running", "ml_train/train/-1/2 success")), new TreeSet<>(out.described()));
            assertEquals(3, out.records().size());
            out.clear();
            assertEquals(0, loop.pollOnce(), "followed once, then forgotten");
        }
    }

    @Test
    void airflow3UsesApiV2WithATokenAndRenewsItWhenItExpires() throws Exception {
        try (FakeAirflow airflow = new FakeAirflow(3)) {
            airflow.taskInstances.addAll(FakeServer.fixture("airflow3-v2-task-instances.json", "task_instances"));
            airflow.taskInstances.addAll(FakeServer.fixture("airflow3-task-instances-example.json",
                    "task_instances"));
            Set<String> expectedIds = new TreeSet<>(Set.of("0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b",
                    "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5c", "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a60",
                    "01985d2a-6c3f-7a4e-9b1f-2c8d4e6f8a10"));
            for (int i = 0; i < 20; i++) {
                String id = String.format("0190a1b2-0000-7000-8000-%012d", i);
                expectedIds.add(id);
                airflow.taskInstances.add(FakeServer.JSON.createObjectNode().put("id", id)
                        .put("dag_id", "mapped").put("task_id", "shard").put("map_index", i)
                        .put("dag_run_id", "manual__2025-06-02").put("state", "running").put("try_number", 1)
                        .put("start_date", "2025-06-02T00:10:00Z").put("hostname", "w").put("pid", 10 + i)
                        .putNull("end_date").put("a_field_from_airflow_4", 1));
            }
            Path dir = Collected.newDir();
            Collected out = new Collected();
            PollerConfig cfg = config(airflow, GOOD, dir);
            AirflowPoller poller = new AirflowPoller(cfg);
            PollLoop loop = new PollLoop(poller, cfg, out, () -> Times.parseMs("2025-06-02T01:00:00Z"));

            assertEquals(24, loop.pollOnce());
            assertEquals("/api/v2", poller.api());
            Set<String> ids = new TreeSet<>();
            for (MetadataRecord r : out.records()) {
                assertEquals("airflow-v2", r.api());
                ids.add(r.id());
            }
            assertEquals(expectedIds, ids, "every try once, by its TaskInstance id");
            assertEquals(24, out.records().size());
            assertTrue(airflow.requests("/taskInstances").stream()
                    .filter(r -> r.param("state") != null).count() >= 3, "21 running tries: three pages");
            assertEquals(1, airflow.requests("/auth/token").size(), "one token for the whole poll");

            airflow.expireTokens();
            synchronized (airflow) {
                airflow.taskInstances.get(1).put("state", "success").put("end_date", "2025-06-02T00:45:00Z");
            }
            out.clear();
            assertEquals(1, loop.pollOnce());
            assertEquals("0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5c", out.records().get(0).id());
            assertEquals(2, airflow.requests("/auth/token").size(), "a 401 fetched a new token, once");

            synchronized (airflow) {
                // Airflow 3 gives each try a new id and moves the old try to its history, without the id.
                ObjectNode mapped = airflow.taskInstances.get(7);
                ObjectNode earlier = mapped.deepCopy();
                earlier.remove("id");
                airflow.history.add(earlier.put("state", "up_for_retry").put("end_date", "2025-06-02T00:50:00Z"));
                mapped.put("id", "0190a1b2-0000-7000-8000-999999999999").put("try_number", 2)
                        .put("start_date", "2025-06-02T00:55:00Z");
            }
            out.clear();
            assertEquals(2, loop.pollOnce());
            Set<String> retried = new TreeSet<>();
            for (MetadataRecord r : out.records()) {
                retried.add(r.id() + " " + r.tryNumber() + " " + r.rawState());
            }
            assertEquals(new TreeSet<>(Set.of("0190a1b2-0000-7000-8000-000000000003 1 up_for_retry",
                    "0190a1b2-0000-7000-8000-999999999999 2 running")), retried);
        }
    }

    @Test
    void wrongCredentialsFailThePollWithoutRecordingAnything() throws Exception {
        for (int major : new int[] {2, 3}) {
            try (FakeAirflow airflow = major == 2 ? airflow2() : new FakeAirflow(3)) {
                Path dir = Collected.newDir();
                Collected out = new Collected();
                Credentials wrong = new Credentials(FakeAirflow.USER, "not-the-password", null, null);
                PollerConfig cfg = config(airflow, wrong, dir);
                PollLoop loop = new PollLoop(new AirflowPoller(cfg), cfg, out, () -> AIRFLOW2_NOW);
                PollFailure f = assertThrows(PollFailure.class, loop::pollOnce);
                assertEquals(PollFailure.Kind.AUTH, f.kind());
                assertTrue(f.getMessage().startsWith("401 from "), f.getMessage());
                assertFalse(f.getMessage().contains("not-the-password"));
                assertTrue(out.documents.isEmpty());
                assertFalse(cfg.stateFile().toFile().exists(), "a failed poll remembers nothing");

                // Fixed credentials (as after a restart with the right ones): everything arrives.
                PollerConfig fixed = cfg.withCredentials(GOOD);
                int sent = new PollLoop(new AirflowPoller(fixed), fixed, out, () -> AIRFLOW2_NOW).pollOnce();
                assertEquals(major == 2 ? 30 : 0, sent);
            }
        }
    }

    @Test
    void aServerErrorOrASlowAnswerFailsOnePollAndTheNextGetsEverything() throws Exception {
        try (FakeAirflow airflow = airflow2()) {
            Path dir = Collected.newDir();
            Collected out = new Collected();
            PollerConfig cfg = config(airflow, GOOD, dir).withTimeout(Duration.ofMillis(300));
            AirflowPoller poller = new AirflowPoller(cfg);
            PollLoop loop = new PollLoop(poller, cfg, out, () -> AIRFLOW2_NOW);

            airflow.failNext(500); // the version probe: a 500 decides nothing
            PollFailure probe = assertThrows(PollFailure.class, loop::pollOnce);
            assertEquals(PollFailure.Kind.UNAVAILABLE, probe.kind());
            assertEquals(null, poller.api());

            loop.pollOnce(); // finds the API version
            out.clear();
            java.nio.file.Files.delete(cfg.stateFile());
            loop = new PollLoop(poller, cfg, out, () -> AIRFLOW2_NOW);

            airflow.failNext(500);
            PollFailure error = assertThrows(PollFailure.class, loop::pollOnce);
            assertEquals(PollFailure.Kind.UNAVAILABLE, error.kind());
            assertTrue(error.getMessage().startsWith("500 from GET /api/v1/dags/~/dagRuns/~/taskInstances"),
                    error.getMessage());

            airflow.delayNext(2_000);
            PollFailure slow = assertThrows(PollFailure.class, loop::pollOnce);
            assertEquals(PollFailure.Kind.UNAVAILABLE, slow.kind());
            assertTrue(slow.getMessage().contains("timed out after 300 ms"), slow.getMessage() + " "
                    + airflow.requests.stream().map(r -> r.path() + "?" + r.query()).toList());
            assertTrue(out.documents.isEmpty());

            assertEquals(30, loop.pollOnce());
            assertEquals(expectedAirflow2(), new TreeSet<>(out.described()));
        }
    }

    @Test
    void aRefusedConnectionIsAFailureToRetry() throws Exception {
        java.net.URI closed;
        try (FakeAirflow gone = new FakeAirflow(2)) {
            closed = gone.url();
        }
        PollerConfig cfg = PollerConfig.of("airflow", java.net.URI.create(closed + "/api/v1"), GOOD,
                Collected.newDir()).withTimeout(Duration.ofSeconds(2));
        PollFailure f = assertThrows(PollFailure.class,
                () -> new PollLoop(new AirflowPoller(cfg), cfg, new Collected(), () -> AIRFLOW2_NOW).pollOnce());
        assertEquals(PollFailure.Kind.UNAVAILABLE, f.kind());
        assertTrue(f.getMessage().contains("cannot connect"), f.getMessage());
    }

    @Test
    void aRedirectIsNotFollowedWithTheCredentials() throws Exception {
        com.sun.net.httpserver.HttpServer moved = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
        moved.createContext("/", ex -> {
            ex.getResponseHeaders().set("Location", "http://elsewhere.example/api/v1/dags");
            ex.sendResponseHeaders(301, -1);
            ex.close();
        });
        moved.start();
        try {
            PollerConfig cfg = PollerConfig.of("airflow", java.net.URI.create("http://127.0.0.1:"
                    + moved.getAddress().getPort() + "/api/v1"), GOOD, Collected.newDir());
            PollFailure f = assertThrows(PollFailure.class,
                    () -> new PollLoop(new AirflowPoller(cfg), cfg, new Collected(), () -> AIRFLOW2_NOW).pollOnce());
            assertEquals(PollFailure.Kind.BAD_ANSWER, f.kind());
            assertTrue(f.getMessage().contains("redirected to http://elsewhere.example/api/v1/dags"),
                    f.getMessage());
        } finally {
            moved.stop(0);
        }
    }

    private static String lastEndBound(FakeAirflow airflow) {
        List<FakeServer.Request> rs = new ArrayList<>(airflow.requests("/taskInstances"));
        for (int i = rs.size() - 1; i >= 0; i--) {
            if (rs.get(i).param("end_date_gte") != null) {
                return rs.get(i).param("end_date_gte");
            }
        }
        throw new AssertionError("no end_date_gte query");
    }
}

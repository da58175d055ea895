package io.taskmeter.pollers;

import io.taskmeter.core.metadata.MetadataRecord;
import io.taskmeter.core.metadata.Times;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Prefect pollers, self-hosted and Cloud-shaped, against a fake Prefect server over real HTTP. */
class PrefectPollerTest {
    static final long NOW = Times.parseMs("2026-03-31T19:00:00Z");
    static final Credentials KEY = new Credentials(null, null, null, FakePrefect.API_KEY);
    static final String FLOW = "a1b2c3d4-e5f6-7890-abcd-ef1234567890";
    static final String DEPLOYMENT = "b2c3d4e5-f6a7-8901-bcde-f12345678901";
    static final int BULK = 25;

    static FakePrefect prefect(String api) {
        FakePrefect p = new FakePrefect(api);
        p.flowRuns.addAll(FakeServer.fixture("prefect3-flow-runs.json", null));
        p.taskRuns.addAll(FakeServer.fixture("prefect3-task-runs.json", null));
        for (int i = 0; i < BULK; i++) {
            p.taskRuns.add(FakeServer.JSON.createObjectNode()
                    .put("id", String.format("c0000000-0000-0000-0000-%012d", i))
                    .put("flow_run_id", "e3755d32-cec5-42ca-9bcd-af236e308ba6").put("task_key", "load")
                    .put("name", "load-" + i).put("dynamic_key", String.valueOf(i)).put("state_type", "COMPLETED")
                    .put("run_count", 1).put("start_time", "2026-03-31T18:35:00Z")
                    .put("end_time", "2026-03-31T18:40:00Z").put("updated", "2026-03-31T18:40:00Z"));
        }
        p.flows.put(FLOW, "etl-flow");
        p.deployments.put(DEPLOYMENT, "etl-prod");
        return p;
    }

    static Set<String> expected() {
        Set<String> ids = new TreeSet<>(List.of(
                // flow runs: the running one and those that ended after 07:00 (12 h look-back)
                "flow_run e3755d32-cec5-42ca-9bcd-af236e308ba6 Running",
                "flow_run f0000000-0000-0000-0000-000000000002 Crashed",
                "flow_run f0000000-0000-0000-0000-000000000003 Failed",
                "flow_run f0000000-0000-0000-0000-000000000004 COMPLETED",
                "flow_run f0000000-0000-0000-0000-000000000005 COMPLETED",
                "task_run a1b2c3d4-e5f6-7890-abcd-ef1234567890 Completed",
                "task_run a1b2c3d4-e5f6-7890-abcd-ef1234567891 RUNNING",
                "task_run a1b2c3d4-e5f6-7890-abcd-ef1234567892 PENDING"));
        for (int i = 0; i < BULK; i++) {
            ids.add(String.format("task_run c0000000-0000-0000-0000-%012d COMPLETED", i));
        }
        return ids;
    }

    static PollerConfig config(URI url, Credentials c, Path dir) {
        return PollerConfig.of("prefect", url, c, dir).withPaging(10, 500)
                .withWindow(Duration.ofMinutes(10), Duration.ofHours(12)).withTimeout(Duration.ofSeconds(5));
    }

    @Test
    void selfHostedPrefectIsReadPageByPageWithNamesLookedUp() throws Exception {
        try (FakePrefect prefect = prefect("/api")) {
            Path dir = Collected.newDir();
            Collected out = new Collected();
            PollerConfig cfg = config(prefect.url(), KEY, dir);
            PrefectPoller poller = new PrefectPoller(cfg);
            assertEquals(prefect.url() + "/api", poller.api(), "a server root is read under /api");
            PollLoop loop = new PollLoop(poller, cfg, out, () -> NOW);

            assertEquals(33, loop.pollOnce());
            List<String> got = out.described();
            assertEquals(33, got.size(), "no record twice");
            assertEquals(expected(), new TreeSet<>(got));
            assertEquals(List.of(0, 10, 20), prefect.requests("/task_runs/filter").stream()
                    .map(r -> r.body().path("offset").asInt()).toList(), "28 task runs in three pages");
            MetadataRecord running = out.records().stream()
                    .filter(r -> "e3755d32-cec5-42ca-9bcd-af236e308ba6".equals(r.id())).findFirst().orElseThrow();
            assertEquals("etl-flow", running.dagOrFlow());
            assertEquals("etl-prod", running.deploymentName());
            assertEquals("worker-1", running.hostname());
            assertEquals(4321, running.pid());
            assertEquals(1, prefect.requests("/flows/filter").size());

            out.clear();
            assertEquals(0, loop.pollOnce(), "nothing changed, nothing sent");
            assertEquals(1, prefect.requests("/flows/filter").size(), "names are looked up once");

            synchronized (prefect) {
                prefect.taskRuns.get(1).put("state_type", "COMPLETED").put("end_time", "2026-03-31T18:50:00Z")
                        .put("updated", "2026-03-31T18:50:00Z");
            }
            assertEquals(1, loop.pollOnce());
            assertEquals(List.of("task_run a1b2c3d4-e5f6-7890-abcd-ef1234567891 COMPLETED"), out.described());

            out.clear();
            PollLoop restarted = new PollLoop(new PrefectPoller(cfg), cfg, out, () -> NOW + 60_000);
            assertEquals(0, restarted.pollOnce(), "a restart sends nothing unchanged");
            List<FakeServer.Request> filters = prefect.requests("/flow_runs/filter");
            assertEquals("2026-03-31T18:40:00Z", filters.get(filters.size() - 1).body().path("flow_runs")
                    .path("end_time").path("after_").asText(), "cursor 18:50 kept across the restart, less 10 min");
        }
    }

    @Test
    void aRunWhoseEndIsStampedBeforeTheWindowIsReadByItsId() throws Exception {
        try (FakePrefect prefect = prefect("/api")) {
            Collected out = new Collected();
            PollerConfig cfg = config(prefect.url(), KEY, Collected.newDir());
            PollLoop loop = new PollLoop(new PrefectPoller(cfg), cfg, out, () -> NOW);
            assertEquals(33, loop.pollOnce());
            synchronized (prefect) {
                prefect.flowRuns.get(0).put("state_type", "COMPLETED").put("state_name", "Completed")
                        .put("end_time", "2026-03-30T18:00:00Z").put("updated", "2026-03-31T18:59:00Z");
            }
            out.clear();
            assertEquals(1, loop.pollOnce());
            assertEquals(List.of("flow_run e3755d32-cec5-42ca-9bcd-af236e308ba6 Completed"), out.described());
            assertEquals("etl-flow", out.records().get(0).dagOrFlow());
            assertEquals(1, prefect.requests("/flow_runs/e3755d32-cec5-42ca-9bcd-af236e308ba6").size());
        }
    }

    @Test
    void cloudWorkspaceUrlsAreUsedAsGivenWithTheApiKey() throws Exception {
        String workspace = "/api/accounts/0ff44498-d380-4d7b-bd68-9b52da03823f/workspaces/"
                + "c5f6cfa4-b2e8-4b55-b0e5-9d7a2ba7a2a4";
        try (FakePrefect prefect = prefect(workspace)) {
            Collected out = new Collected();
            PollerConfig cfg = config(URI.create(prefect.url() + workspace), KEY, Collected.newDir());
            assertEquals(33, new PollLoop(new PrefectPoller(cfg), cfg, out, () -> NOW).pollOnce());
            assertEquals(expected(), new TreeSet<>(out.described()));
            assertTrue(prefect.requests.stream().allMatch(r -> r.path().startsWith(workspace)));
        }
    }

    @Test
    void aMissingOrWrongApiKeyIsAnAuthFailureAndAServerErrorIsRetried() throws Exception {
        try (FakePrefect prefect = prefect("/api")) {
            Collected out = new Collected();
            Path dir = Collected.newDir();
            PollerConfig wrong = config(prefect.url(), new Credentials(null, null, null, "pnu_wrong"), dir);
            PollFailure f = assertThrows(PollFailure.class,
                    () -> new PollLoop(new PrefectPoller(wrong), wrong, out, () -> NOW).pollOnce());
            assertEquals(PollFailure.Kind.AUTH, f.kind());
            assertFalse(f.getMessage().contains("pnu_wrong"), f.getMessage());
            assertTrue(out.documents.isEmpty());

            PollerConfig good = config(prefect.url(), KEY, dir);
            PollLoop loop = new PollLoop(new PrefectPoller(good), good, out, () -> NOW);
            prefect.failNext(503);
            assertEquals(PollFailure.Kind.UNAVAILABLE, assertThrows(PollFailure.class, loop::pollOnce).kind());
            assertTrue(out.documents.isEmpty());
            assertNull(PollState.load(good.stateFile()).cursorMs(), "a failed poll remembers nothing");
            assertEquals(33, loop.pollOnce());
        }
    }
}

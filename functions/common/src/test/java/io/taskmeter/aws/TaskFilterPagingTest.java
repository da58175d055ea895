package io.taskmeter.aws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.taskmeter.core.report.TaskSummary;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** GET /v1/tasks with a filter pages through matches, not through raw pages that may hold none of them. */
class TaskFilterPagingTest {

    @Test
    void filteredPagesAreFullAndTogetherHoldEveryMatchOnce() throws Exception {
        try (StandIns standIns = StandIns.start()) {
            TableNames tables = standIns.freshTables("paging");
            InsightsStore store = new InsightsStore(standIns.ddb, tables.insights());
            List<TaskSummary> tasks = new ArrayList<>();
            List<String> prefect = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                // Seven Prefect tasks scattered among Airflow ones, two of them past the first raw pages.
                boolean isPrefect = i % 6 == 5;
                String orchestrator = isPrefect ? "prefect" : "airflow";
                String id = String.format("%s:flow:task-%02d", orchestrator, i);
                tasks.add(new TaskSummary(id, orchestrator, "flow", "task-" + i, 1, null, 0, 0, null, List.of()));
                if (isPrefect) {
                    prefect.add(id);
                }
            }
            try (InsightsStore.Writer w = store.writer()) {
                w.tasksAndCosts(tasks, List.of(), 1L, tasks.size());
            }
            InsightsApi api = new InsightsApi(store);
            ObjectMapper json = new ObjectMapper();
            List<String> seen = new ArrayList<>();
            String after = null;
            int calls = 0;
            do {
                Map<String, String> q = new HashMap<>(Map.of("orchestrator", "prefect", "limit", "3"));
                if (after != null) {
                    q.put("after", after);
                }
                InsightsApi.Response r = api.handle("GET", "/v1/tasks", q);
                assertEquals(200, r.status(), r.body());
                JsonNode body = json.readTree(r.body());
                body.path("tasks").forEach(t -> seen.add(t.path("id").asText()));
                after = body.path("next").isNull() || body.path("next").isMissingNode() ? null : body.path("next").asText();
                calls++;
                if (after != null) {
                    assertEquals(3, body.path("tasks").size(), "a page with more to come is full: " + r.body());
                }
            } while (after != null && calls < 10);
            assertEquals(prefect.stream().sorted().toList(), seen, "every match once, in order");
            assertTrue(calls <= 3, "seven matches in pages of three: " + calls + " calls");
        }
    }
}

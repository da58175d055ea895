package io.taskmeter.aws;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.taskmeter.core.batch.BatchCodec;
import io.taskmeter.core.report.AttemptSummary;
import io.taskmeter.core.report.CostRollup;
import io.taskmeter.core.report.InsightsCalculator;
import io.taskmeter.core.report.TaskSummary;

import java.net.URLDecoder;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The insights API, independent of how requests arrive: API Gateway in Lambda, the JDK HTTP server in the local
 * mode. JSON in snake_case under /v1; errors are JSON with a message that says what to change.
 */
public final class InsightsApi {
    private static final ObjectMapper JSON = BatchCodec.json();
    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 1000;
    static final int MAX_RANGE_DAYS = 92;

    private final InsightsStore store;
    private final EventsEndpoint events;

    public InsightsApi(InsightsStore store) {
        this(store, null);
    }

    /** @param events {@code POST /v1/events}; null when this API takes no pushed events */
    public InsightsApi(InsightsStore store, EventsEndpoint events) {
        this.store = store;
        this.events = events;
    }

    public record Response(int status, String body) {
    }

    public Response handle(String method, String rawPath, Map<String, String> query) {
        return handle(method, rawPath, query, Map.of(), null);
    }

    public Response handle(String method, String rawPath, Map<String, String> query, Map<String, String> headers,
                           byte[] requestBody) {
        try {
            String path = rawPath.endsWith("/") && rawPath.length() > 1 ? rawPath.substring(0, rawPath.length() - 1)
                    : rawPath;
            if (path.equals("/v1/events")) {
                if (!"POST".equals(method)) {
                    return error(405, "POST events to /v1/events");
                }
                return events == null ? error(404, "this API takes no pushed events") : events.accept(headers, requestBody);
            }
            if (!"GET".equals(method)) {
                return error(405, "only GET is supported (and POST /v1/events)");
            }
            if (path.equals("/v1/health")) {
                Optional<Map> job = store.get("JOB", "LAST_RUN", Map.class);
                return ok(Map.of("status", "ok", "last_job", job.orElse(Map.of())));
            }
            if (path.equals("/v1/tasks")) {
                return ok(pageBody("tasks", filteredTasks(query, limit(query))));
            }
            if (path.startsWith("/v1/tasks/")) {
                String id = decode(path.substring("/v1/tasks/".length()));
                Optional<TaskSummary> task = store.get("TASKS", id, TaskSummary.class);
                if (task.isEmpty()) {
                    return error(404, "no task with id '" + id + "'; GET /v1/tasks lists the known ids");
                }
                InsightsStore.Page<AttemptSummary> attempts = store.page("TASK#" + id, AttemptSummary.class,
                        limit(query), query.get("after"), true);
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("task", task.get());
                body.put("attempts", attempts.items());
                body.put("next", attempts.next());
                return ok(body);
            }
            if (path.startsWith("/v1/attempts/")) {
                String id = decode(path.substring("/v1/attempts/".length()));
                return store.get("ATTEMPT#" + id, "SUMMARY", AttemptSummary.class).map(this::ok)
                        .orElseGet(() -> error(404, "no attempt with id '" + id + "'"));
            }
            if (path.equals("/v1/stalls")) {
                InsightsStore.Page<io.taskmeter.core.stall.StallAlert> page = store.page("STALLS",
                        io.taskmeter.core.stall.StallAlert.class, limit(query), query.get("after"), true);
                return ok(pageBody("stalls", page));
            }
            if (path.equals("/v1/costs")) {
                String groupBy = query.getOrDefault("groupBy", "task");
                if ("host".equals(groupBy)) {
                    // Host cost, what its attempts were allocated of it, and the idle rest.
                    InsightsStore.Page<io.taskmeter.core.cost.HostCost> page = store.page("HOSTS",
                            io.taskmeter.core.cost.HostCost.class, limit(query), query.get("after"), false);
                    Map<String, Object> body = pageBody("hosts", page);
                    body.put("group_by", "host");
                    return ok(body);
                }
                if (!CostRollup.GROUPINGS.contains(groupBy)) {
                    return error(400, "groupBy must be one of " + CostRollup.GROUPINGS + " or host, was '" + groupBy + "'");
                }
                if (query.containsKey("from") || query.containsKey("to")) {
                    Instant to = instant(query.get("to"), "to", Instant.now());
                    Instant from = instant(query.get("from"), "from", to.minus(Duration.ofDays(7)));
                    if (!from.isBefore(to)) {
                        throw new BadRequest("from must be before to");
                    }
                    if (Duration.between(from, to).toDays() > MAX_RANGE_DAYS) {
                        throw new BadRequest("a cost query spans at most " + MAX_RANGE_DAYS + " days");
                    }
                    List<CostRollup> costs = InsightsCalculator.rollups(store.attemptsBetween(from, to)).stream()
                            .filter(c -> c.groupBy().equals(groupBy)).toList();
                    Map<String, Object> body = new LinkedHashMap<>();
                    body.put("costs", costs);
                    body.put("next", null);
                    body.put("group_by", groupBy);
                    body.put("from", from.toString());
                    body.put("to", to.toString());
                    return ok(body);
                }
                InsightsStore.Page<CostRollup> page = store.page("COSTS#" + groupBy, CostRollup.class,
                        limit(query), query.get("after"), false);
                Map<String, Object> body = pageBody("costs", page);
                body.put("group_by", groupBy);
                return ok(body);
            }
            if (path.equals("/v1/openapi.json")) {
                return new Response(200, openApi());
            }
            return error(404, "no such endpoint: " + path + " (see GET /v1/tasks, /v1/tasks/{id}, "
                    + "/v1/attempts/{id}, /v1/costs?groupBy=dag|flow|task|run&from=&to=, /v1/stalls, /v1/openapi.json)");
        } catch (BadRequest e) {
            return error(400, e.getMessage());
        }
    }

    private static boolean matches(String wanted, String actual) {
        return wanted == null || wanted.equals(actual);
    }

    private static Instant instant(String s, String name, Instant fallback) {
        if (s == null || s.isBlank()) {
            return fallback;
        }
        try {
            return s.length() == 10 ? LocalDate.parse(s).atStartOfDay(ZoneOffset.UTC).toInstant() : Instant.parse(s);
        } catch (DateTimeParseException e) {
            throw new BadRequest(name + " must be a date (2026-11-22) or an instant (2026-11-22T10:00:00Z), was '"
                    + s + "'");
        }
    }

    private static String openApi() {
        try (var in = InsightsApi.class.getResourceAsStream("openapi.json")) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (java.io.IOException | NullPointerException e) {
            throw new IllegalStateException("openapi.json missing from the classpath", e);
        }
    }

    /** Reads task pages for more than this many items at most, so a rare filter cannot make one call scan them all. */
    static final int MAX_TASKS_READ = 5_000;

    /**
     * Up to {@code limit} tasks that pass the filters, reading on past pages that hold none or few of them, and a
     * {@code next} that resumes right after the last one returned (a task's sort key is its id), so no match is
     * skipped; when the read bound is reached first, fewer are returned with a {@code next} to go on from.
     */
    private InsightsStore.Page<TaskSummary> filteredTasks(Map<String, String> query, int limit) {
        List<TaskSummary> kept = new ArrayList<>();
        String after = query.get("after");
        int read = 0;
        while (true) {
            InsightsStore.Page<TaskSummary> page = store.page("TASKS", TaskSummary.class, limit, after, false);
            for (TaskSummary t : page.items()) {
                read++;
                if (matches(query.get("orchestrator"), t.orchestrator())
                        && matches(query.get("dag"), t.dagOrFlow()) && matches(query.get("flow"), t.dagOrFlow())
                        && matches(query.get("task"), t.task())) {
                    kept.add(t);
                    if (kept.size() == limit) {
                        return new InsightsStore.Page<>(kept, page.next() == null && t == page.items()
                                .get(page.items().size() - 1) ? null : t.id());
                    }
                }
            }
            if (page.next() == null) {
                return new InsightsStore.Page<>(kept, null);
            }
            after = page.next();
            if (read >= MAX_TASKS_READ) {
                return new InsightsStore.Page<>(kept, after);
            }
        }
    }

    private static Map<String, Object> pageBody(String name, InsightsStore.Page<?> page) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put(name, page.items());
        body.put("next", page.next());
        return body;
    }

    private static int limit(Map<String, String> query) {
        String s = query.get("limit");
        if (s == null) {
            return DEFAULT_LIMIT;
        }
        try {
            int n = Integer.parseInt(s);
            if (n < 1 || n > MAX_LIMIT) {
                throw new BadRequest("limit must be between 1 and " + MAX_LIMIT + ", was " + n);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new BadRequest("limit must be a whole number, was '" + s + "'");
        }
    }

    private static String decode(String segment) {
        return URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private Response ok(Object body) {
        return json(200, body);
    }

    static Response json(int status, Object body) {
        try {
            return new Response(status, JSON.writeValueAsString(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static Response error(int status, String message) {
        try {
            return new Response(status, JSON.writeValueAsString(Map.of("error", message, "status", status)));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Query strings as API Gateway gives them: one value per name, the last one wins. */
    public static Map<String, String> query(String rawQuery) {
        Map<String, String> out = new LinkedHashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return out;
        }
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            out.put(k, v);
        }
        return out;
    }

    private static final class BadRequest extends RuntimeException {
        BadRequest(String message) {
            super(message);
        }
    }
}

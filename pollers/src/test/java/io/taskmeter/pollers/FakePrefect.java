package io.taskmeter.pollers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.taskmeter.core.metadata.Times;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Prefect's REST API as a server, self-hosted ({@code /api}) or Cloud-shaped
 * ({@code /api/accounts/<a>/workspaces/<w>}), API key as bearer token. Serves {@code POST /flow_runs/filter} and
 * {@code /task_runs/filter} with the filter the pollers send (an {@code or_} of state types and
 * {@code end_time.after_}), {@code ID_DESC} sort and limit/offset, and the name look-ups of flows and deployments.
 */
final class FakePrefect extends FakeServer {
    static final String API_KEY = "pnu_fake0123456789never-logged";

    final String api;
    final List<ObjectNode> flowRuns = new ArrayList<>();
    final List<ObjectNode> taskRuns = new ArrayList<>();
    final Map<String, String> flows = new LinkedHashMap<>();
    final Map<String, String> deployments = new LinkedHashMap<>();

    /** @param api "/api" or a Cloud workspace path */
    FakePrefect(String api) {
        this.api = api;
        serve(api);
        start();
    }

    @Override
    synchronized Answer answer(Request r) {
        if (!("Bearer " + API_KEY).equals(r.authorization())) {
            return status(401, "Unauthorized");
        }
        String path = r.path().substring(api.length());
        if ("GET".equals(r.method()) && path.matches("/(flow|task)_runs/[^/]+")) {
            String id = path.substring(path.lastIndexOf('/') + 1);
            return (path.startsWith("/flow") ? flowRuns : taskRuns).stream()
                    .filter(n -> id.equals(n.path("id").asText())).findFirst().<Answer>map(FakeServer::ok)
                    .orElse(status(404, "Not Found"));
        }
        if (!"POST".equals(r.method()) || r.body() == null) {
            return status(405, "Method Not Allowed");
        }
        return switch (r.path().substring(api.length())) {
            case "/flow_runs/filter" -> ok(filter(flowRuns, r.body(), r.body().path("flow_runs")));
            case "/task_runs/filter" -> ok(filter(taskRuns, r.body(), r.body().path("task_runs")));
            case "/flows/filter" -> ok(named(flows, r.body().path("flows")));
            case "/deployments/filter" -> ok(named(deployments, r.body().path("deployments")));
            default -> status(404, "Not Found");
        };
    }

    private static ArrayNode filter(List<ObjectNode> all, JsonNode body, JsonNode f) {
        List<Predicate<ObjectNode>> parts = new ArrayList<>();
        JsonNode types = f.path("state").path("type").path("any_");
        if (types.isArray()) {
            Set<String> wanted = new HashSet<>();
            types.forEach(t -> wanted.add(t.asText()));
            parts.add(n -> wanted.contains(n.path("state_type").asText(null)));
        }
        JsonNode after = f.path("end_time").path("after_");
        if (after.isTextual()) {
            long bound = Times.parseMs(after.asText());
            parts.add(n -> {
                Long end = Times.parseMs(n.path("end_time").asText(null));
                return end != null && end >= bound;
            });
        }
        boolean or = "or_".equals(f.path("operator").asText("and_"));
        Predicate<ObjectNode> match = parts.isEmpty() ? n -> true
                : parts.stream().reduce(or ? Predicate::or : Predicate::and).orElseThrow();
        if (!"ID_DESC".equals(body.path("sort").asText("ID_DESC"))) {
            throw new IllegalArgumentException("this fake sorts by ID_DESC only");
        }
        List<ObjectNode> matching = all.stream().filter(match)
                .sorted(Comparator.comparing((ObjectNode n) -> n.path("id").asText("")).reversed()).toList();
        ArrayNode out = JSON.createArrayNode();
        out.addAll(page(matching, body.path("limit").asText(null), body.path("offset").asText(null), 200));
        return out;
    }

    private static ArrayNode named(Map<String, String> names, JsonNode f) {
        ArrayNode out = JSON.createArrayNode();
        f.path("id").path("any_").forEach(id -> {
            String name = names.get(id.asText());
            if (name != null) {
                out.addObject().put("id", id.asText()).put("name", name).put("created", "2026-01-01T00:00:00Z");
            }
        });
        return out;
    }
}

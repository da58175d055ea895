package io.taskmeter.pollers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.taskmeter.core.metadata.MetadataRecord;
import io.taskmeter.core.metadata.PrefectParser;

import java.io.IOException;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Prefect 2/3's REST API, self-hosted ({@code <server>/api}) or Cloud (a workspace URL, API key as bearer token).
 * Prefect's run filters have no "updated since" field, so each poll asks, in one filter with {@code or_}, for
 * runs in an active state or with an {@code end_time} after the given time; flow runs and task runs alike, paged
 * by limit/offset in a fixed sort until a short page. Flow and deployment names, which runs do not carry, are
 * looked up once per id and kept.
 */
final class PrefectPoller implements Poller {
    static final List<String> ACTIVE_STATES = List.of("PENDING", "RUNNING", "CANCELLING", "PAUSED");
    private static final int MAX_PAGES = 10_000;

    private final PollerConfig config;
    private final HttpJson http;
    private final String api;
    private final HttpJson.Auth auth;
    private final Map<String, String> flowNames = new HashMap<>();
    private final Map<String, String> deploymentNames = new HashMap<>();

    PrefectPoller(PollerConfig config) {
        this.config = config;
        this.http = new HttpJson(config.timeout());
        String base = config.base();
        // A workspace URL or one ending in /api is the API itself; a bare server root serves it under /api.
        this.api = base.endsWith("/api") || base.contains("/api/") ? base : base + "/api";
        String key = config.credentials().apiKey();
        this.auth = key == null ? HttpJson.Auth.NONE : () -> "Bearer " + key;
    }

    @Override
    public String source() {
        return "prefect";
    }

    @Override
    public String instance() {
        return config.instance();
    }

    /** The API root requests go to. */
    String api() {
        return api;
    }

    @Override
    public List<MetadataRecord> fetch(long sinceMs) throws IOException {
        String since = Instant.ofEpochMilli(sinceMs).toString();
        ArrayNode flowRuns = pages("/flow_runs/filter", "flow_runs", since);
        ArrayNode taskRuns = pages("/task_runs/filter", "task_runs", since);
        return parse(flowRuns, taskRuns);
    }

    @Override
    public List<MetadataRecord> refetch(List<MetadataRecord> vanished) throws IOException {
        ArrayNode flowRuns = HttpJson.JSON.createArrayNode();
        ArrayNode taskRuns = HttpJson.JSON.createArrayNode();
        for (MetadataRecord r : vanished) {
            boolean flowRun = MetadataRecord.FLOW_RUN.equals(r.type());
            JsonNode n = r.id() == null ? null : http.find(URI.create(api + (flowRun ? "/flow_runs/" : "/task_runs/")
                    + HttpJson.segment(r.id())), auth);
            if (n != null && n.isObject()) {
                (flowRun ? flowRuns : taskRuns).add(n);
            }
        }
        return parse(flowRuns, taskRuns);
    }

    private List<MetadataRecord> parse(ArrayNode flowRuns, ArrayNode taskRuns) throws IOException {
        Set<String> flows = new LinkedHashSet<>();
        Set<String> deployments = new LinkedHashSet<>();
        for (JsonNode fr : flowRuns) {
            addIfUnknown(fr.path("flow_id"), flowNames, flows);
            addIfUnknown(fr.path("deployment_id"), deploymentNames, deployments);
        }
        lookUpNames("/flows/filter", "flows", flows, flowNames);
        lookUpNames("/deployments/filter", "deployments", deployments, deploymentNames);
        List<MetadataRecord> out = new ArrayList<>(PrefectParser.flowRuns(flowRuns, flowNames::get,
                deploymentNames::get));
        out.addAll(PrefectParser.taskRuns(taskRuns));
        return out;
    }

    private ArrayNode pages(String path, String filterField, String since) throws IOException {
        ArrayNode items = HttpJson.JSON.createArrayNode();
        int limit = config.pageSize();
        for (int page = 0, offset = 0; page < MAX_PAGES; page++) {
            ObjectNode body = HttpJson.JSON.createObjectNode().put("sort", "ID_DESC").put("limit", limit)
                    .put("offset", offset);
            ObjectNode filter = body.putObject(filterField).put("operator", "or_");
            ArrayNode any = filter.putObject("state").putObject("type").putArray("any_");
            ACTIVE_STATES.forEach(any::add);
            filter.putObject("end_time").put("after_", since);
            JsonNode answer = http.post(URI.create(api + path), body, auth);
            if (!answer.isArray()) {
                throw new PollFailure(PollFailure.Kind.BAD_ANSWER, "POST " + path + " answered with no array");
            }
            items.addAll((ArrayNode) answer);
            offset += answer.size();
            if (answer.size() < limit) {
                return items;
            }
        }
        throw new PollFailure(PollFailure.Kind.BAD_ANSWER, "POST " + path + " did not end after " + MAX_PAGES
                + " pages");
    }

    private void lookUpNames(String path, String filterField, Set<String> ids, Map<String, String> names)
            throws IOException {
        List<String> todo = new ArrayList<>(ids);
        for (int from = 0; from < todo.size(); from += config.pageSize()) {
            List<String> chunk = todo.subList(from, Math.min(todo.size(), from + config.pageSize()));
            ObjectNode body = HttpJson.JSON.createObjectNode().put("limit", chunk.size());
            ArrayNode any = body.putObject(filterField).putObject("id").putArray("any_");
            chunk.forEach(any::add);
            JsonNode answer = http.post(URI.create(api + path), body, auth);
            for (JsonNode n : answer) {
                if (n.path("id").isTextual() && n.path("name").isTextual()) {
                    names.put(n.get("id").asText(), n.get("name").asText());
                }
            }
        }
    }

    private static void addIfUnknown(JsonNode id, Map<String, String> known, Set<String> todo) {
        if (id.isTextual() && !known.containsKey(id.asText())) {
            todo.add(id.asText());
        }
    }
}

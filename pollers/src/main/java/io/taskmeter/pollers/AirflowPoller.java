package io.taskmeter.pollers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.taskmeter.core.metadata.AirflowParser;
import io.taskmeter.core.metadata.MetadataRecord;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.logging.Logger;

/**
 * Airflow's stable REST API: v1 on Airflow 2 ({@code /api/v1}), v2 on Airflow 3 ({@code /api/v2}), told apart by
 * asking the server unless the URL names one. Each poll reads task instances and DAG runs of every DAG
 * ({@code ~} wildcards) twice: those in an active state, and those that ended since the given time; both paged by
 * limit/offset until {@code total_entries}. Authentication: a bearer token as given; else username and password,
 * as basic auth on Airflow 2 and exchanged for a JWT at {@code /auth/token} on Airflow 3 (renewed on a 401).
 */
final class AirflowPoller implements Poller {
    private static final Logger LOG = Logger.getLogger(AirflowPoller.class.getName());
    /** States in which a try may hold or soon hold a process; ended tries come from the end-date query. */
    static final List<String> ACTIVE_TASK_STATES = List.of("queued", "running", "restarting", "deferred",
            "up_for_reschedule");
    static final List<String> ACTIVE_RUN_STATES = List.of("queued", "running");
    /** A poll never reads more pages than this per query: a server that never says "done" must not hang it. */
    static final int MAX_PAGES = 10_000;

    private final PollerConfig config;
    private final HttpJson http;
    private final String root;
    private String api; // "/api/v1" or "/api/v2", once known
    private String jwt;

    AirflowPoller(PollerConfig config) {
        this.config = config;
        this.http = new HttpJson(config.timeout());
        String base = config.base();
        if (base.endsWith("/api/v1") || base.endsWith("/api/v2")) {
            api = base.substring(base.length() - 7);
            base = base.substring(0, base.length() - 7);
        }
        this.root = base;
    }

    @Override
    public String source() {
        return "airflow";
    }

    @Override
    public String instance() {
        return config.instance();
    }

    /** {@code /api/v1} or {@code /api/v2}; null until the first poll found out. */
    String api() {
        return api;
    }

    @Override
    public List<MetadataRecord> fetch(long sinceMs) throws IOException {
        String prefix = api();
        if (prefix == null) {
            prefix = detect();
        }
        String since = Instant.ofEpochMilli(sinceMs).toString();
        ArrayNode tis = HttpJson.JSON.createArrayNode();
        String tiPath = prefix + "/dags/~/dagRuns/~/taskInstances";
        tis.addAll(pages(tiPath, states(ACTIVE_TASK_STATES), "task_instances"));
        tis.addAll(pages(tiPath, "end_date_gte=" + enc(since), "task_instances"));
        ArrayNode runs = HttpJson.JSON.createArrayNode();
        String runPath = prefix + "/dags/~/dagRuns";
        runs.addAll(pages(runPath, states(ACTIVE_RUN_STATES), "dag_runs"));
        runs.addAll(pages(runPath, "end_date_gte=" + enc(since), "dag_runs"));
        List<MetadataRecord> out = new ArrayList<>(AirflowParser.taskInstances(tis));
        out.addAll(AirflowParser.dagRuns(runs));
        return out;
    }

    @Override
    public List<MetadataRecord> refetch(List<MetadataRecord> vanished) throws IOException {
        String prefix = api() != null ? api() : detect();
        List<MetadataRecord> out = new ArrayList<>();
        for (MetadataRecord r : vanished) {
            MetadataRecord again = MetadataRecord.DAG_RUN.equals(r.type()) ? dagRun(prefix, r) : tryOf(prefix, r);
            if (again != null) {
                out.add(again);
            }
        }
        return out;
    }

    private MetadataRecord dagRun(String prefix, MetadataRecord r) throws IOException {
        JsonNode run = http.find(URI.create(root + prefix + "/dags/" + HttpJson.segment(r.dagOrFlow())
                + "/dagRuns/" + HttpJson.segment(r.run())), auth);
        if (run == null) {
            return null;
        }
        List<MetadataRecord> parsed = AirflowParser.dagRuns(HttpJson.JSON.createArrayNode().add(run));
        return parsed.isEmpty() ? null : parsed.get(0);
    }

    /**
     * The try as Airflow keeps it: from the try history (Airflow 2.10+, 3), else the task instance itself if it
     * is still the same try (an older Airflow 2, or a try whose end fell before the window).
     */
    private MetadataRecord tryOf(String prefix, MetadataRecord r) throws IOException {
        if (r.task() == null || r.run() == null) {
            return null;
        }
        String ti = root + prefix + "/dags/" + HttpJson.segment(r.dagOrFlow()) + "/dagRuns/"
                + HttpJson.segment(r.run()) + "/taskInstances/" + HttpJson.segment(r.task())
                + (r.mapIndex() == null || r.mapIndex() < 0 ? "" : "/" + r.mapIndex());
        JsonNode node = r.tryNumber() == null ? null : http.find(URI.create(ti + "/tries/" + r.tryNumber()), auth);
        if (node instanceof ObjectNode history && r.id() != null && !history.hasNonNull("id")) {
            history.put("id", r.id()); // the history of a try does not repeat the id the try had
        }
        if (node == null) {
            node = http.find(URI.create(ti), auth);
            if (node == null) {
                return null;
            }
            String id = node.path("id").asText(null);
            boolean same = r.id() != null ? r.id().equalsIgnoreCase(id)
                    : r.tryNumber() != null && r.tryNumber() == node.path("try_number").asInt(-1);
            if (!same) {
                return null;
            }
        }
        return AirflowParser.taskInstance(node);
    }

    /**
     * Airflow 3 serves {@code /api/v2}, Airflow 2 {@code /api/v1}; a 404 is the only "not here" (a 401 still
     * proves the API exists), and an unavailable server decides nothing.
     */
    private String detect() throws IOException {
        for (String candidate : List.of("/api/v2", "/api/v1")) {
            int status = http.probe(URI.create(root + candidate + "/version"));
            if (status >= 500 || status == 429) {
                throw new PollFailure(PollFailure.Kind.UNAVAILABLE, status + " from GET " + candidate
                        + "/version: cannot tell the Airflow version yet");
            }
            if (status != 404) {
                api = candidate;
                LOG.info("airflow " + config.instance() + ": REST API " + candidate + " (Airflow "
                        + (candidate.endsWith("2") ? "3" : "2") + ")");
                return api;
            }
        }
        throw new PollFailure(PollFailure.Kind.BAD_ANSWER, root + " serves neither /api/v2 nor /api/v1: "
                + "is this the Airflow webserver (Airflow 2) or API server (Airflow 3)?");
    }

    private List<JsonNode> pages(String path, String filter, String field) throws IOException {
        List<JsonNode> items = new ArrayList<>();
        int limit = config.pageSize();
        for (int page = 0, offset = 0; page < MAX_PAGES; page++) {
            URI uri = URI.create(root + path + "?" + filter + "&limit=" + limit + "&offset=" + offset);
            JsonNode body = http.get(uri, auth);
            JsonNode arr = body.get(field);
            if (arr == null || !arr.isArray()) {
                throw new PollFailure(PollFailure.Kind.BAD_ANSWER, "GET " + path + " answered without a '" + field
                        + "' array");
            }
            arr.forEach(items::add);
            offset += arr.size();
            JsonNode total = body.get("total_entries");
            boolean done = arr.isEmpty() || (total != null && total.canConvertToInt()
                    ? offset >= total.intValue() : arr.size() < limit);
            if (done) {
                return items;
            }
        }
        throw new PollFailure(PollFailure.Kind.BAD_ANSWER, "GET " + path + " did not end after " + MAX_PAGES
                + " pages");
    }

    private String authorization() throws IOException {
        Credentials c = config.credentials();
        if (c.token() != null) {
            return "Bearer " + c.token();
        }
        if (!c.hasUserPassword()) {
            return null;
        }
        if ("/api/v1".equals(api)) {
            return "Basic " + Base64.getEncoder().encodeToString((c.username() + ":" + c.password())
                    .getBytes(StandardCharsets.UTF_8));
        }
        if (jwt == null) {
            jwt = fetchToken(c);
        }
        return "Bearer " + jwt;
    }

    /** Airflow 3 trades username and password for a JWT; a 401 on a request means it expired. */
    private String fetchToken(Credentials c) throws IOException {
        ObjectNode body = HttpJson.JSON.createObjectNode().put("username", c.username())
                .put("password", c.password());
        JsonNode answer = http.post(URI.create(root + "/auth/token"), body, HttpJson.Auth.NONE);
        JsonNode token = answer.get("access_token");
        if (token == null || !token.isTextual() || token.asText().isBlank()) {
            throw new PollFailure(PollFailure.Kind.AUTH, "POST /auth/token answered without an access_token");
        }
        return token.asText();
    }

    private final HttpJson.Auth auth = new HttpJson.Auth() {
        @Override
        public String header() throws IOException {
            return authorization();
        }

        @Override
        public boolean renew() {
            if (jwt == null) {
                return false; // basic auth or a given token: asking again with the same would fail the same way
            }
            jwt = null;
            return true;
        }
    };

    private static String states(List<String> states) {
        StringBuilder q = new StringBuilder();
        for (String s : states) {
            q.append(q.isEmpty() ? "" : "&").append("state=").append(s);
        }
        return q.toString();
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}

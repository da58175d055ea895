package io.taskmeter.pollers;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.taskmeter.core.metadata.Times;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * Airflow's REST API as a server: Airflow 2 ({@code /api/v1}, basic auth) or Airflow 3 ({@code /api/v2}, JWT from
 * {@code POST /auth/token}). Serves the {@code ~} list endpoints of task instances and DAG runs with the filters
 * the pollers use ({@code state}, {@code end_date_gte}) and limit/offset paging with {@code total_entries}.
 */
final class FakeAirflow extends FakeServer {
    static final String USER = "taskmeter";
    static final String PASSWORD = "pa55-word-never-logged";

    final int airflowMajor;
    final List<ObjectNode> taskInstances = new ArrayList<>();
    final List<ObjectNode> dagRuns = new ArrayList<>();
    /** Earlier tries of task instances, as the try history keeps them (Airflow 3: without the try's id). */
    final List<ObjectNode> history = new ArrayList<>();
    private final Set<String> tokens = ConcurrentHashMap.newKeySet();
    private final String api;

    FakeAirflow(int airflowMajor) {
        this.airflowMajor = airflowMajor;
        this.api = airflowMajor >= 3 ? "/api/v2" : "/api/v1";
        serve(api);
        if (airflowMajor >= 3) {
            serve("/auth/token");
        }
        start();
    }

    /** Every JWT handed out so far stops working, as when they expire. */
    void expireTokens() {
        tokens.clear();
    }

    synchronized ObjectNode taskInstance(String dag, String task) {
        return taskInstances.stream().filter(t -> dag.equals(t.path("dag_id").asText())
                && task.equals(t.path("task_id").asText())).findFirst().orElseThrow();
    }

    @Override
    synchronized Answer answer(Request r) {
        if (r.path().equals("/auth/token")) {
            if (!"POST".equals(r.method()) || r.body() == null
                    || !USER.equals(r.body().path("username").asText())
                    || !PASSWORD.equals(r.body().path("password").asText())) {
                return status(401, "Invalid credentials");
            }
            String token = UUID.randomUUID().toString();
            tokens.add(token);
            return new Answer(201, JSON.createObjectNode().put("access_token", token));
        }
        if (r.path().equals(api + "/version")) {
            return ok(JSON.createObjectNode().put("version", airflowMajor >= 3 ? "3.0.2" : "2.10.5"));
        }
        if (!authorized(r.authorization())) {
            return status(401, "Unauthorized");
        }
        if (r.path().equals(api + "/dags/~/dagRuns/~/taskInstances")) {
            return ok(collection("task_instances", taskInstances, r));
        }
        if (r.path().equals(api + "/dags/~/dagRuns")) {
            return ok(collection("dag_runs", dagRuns, r));
        }
        return one(List.of(r.path().substring(api.length() + 1).split("/")));
    }

    /** The single-object endpoints: a DAG run, a task instance, one try of it. */
    private Answer one(List<String> p) {
        if (p.size() < 4 || !p.get(0).equals("dags") || !p.get(2).equals("dagRuns")) {
            return status(404, "not found");
        }
        String dag = p.get(1);
        String run = p.get(3);
        if (p.size() == 4) {
            return found(dagRuns.stream().filter(n -> dag.equals(n.path("dag_id").asText())
                    && run.equals(n.path("dag_run_id").asText())).findFirst().orElse(null));
        }
        if (p.size() < 6 || !p.get(4).equals("taskInstances")) {
            return status(404, "not found");
        }
        String task = p.get(5);
        List<String> rest = p.subList(6, p.size());
        int map = -1;
        if (!rest.isEmpty() && rest.get(0).matches("\\d+")) {
            map = Integer.parseInt(rest.get(0));
            rest = rest.subList(1, rest.size());
        }
        int mapIndex = map;
        Predicate<ObjectNode> same = n -> dag.equals(n.path("dag_id").asText())
                && run.equals(n.path("dag_run_id").asText()) && task.equals(n.path("task_id").asText())
                && n.path("map_index").asInt(-1) == mapIndex;
        if (rest.isEmpty()) {
            return found(taskInstances.stream().filter(same).findFirst().orElse(null));
        }
        if (rest.size() == 2 && rest.get(0).equals("tries")) {
            int tryNumber = Integer.parseInt(rest.get(1));
            Predicate<ObjectNode> thatTry = same.and(n -> n.path("try_number").asInt() == tryNumber);
            ObjectNode current = taskInstances.stream().filter(thatTry).findFirst().orElse(null);
            if (current != null) {
                ObjectNode copy = current.deepCopy();
                copy.remove("id"); // a try's history does not carry the id
                return ok(copy);
            }
            return found(history.stream().filter(thatTry).findFirst().orElse(null));
        }
        return status(404, "not found");
    }

    private static Answer found(ObjectNode n) {
        return n == null ? status(404, "not found") : ok(n);
    }

    private boolean authorized(String header) {
        if (header == null) {
            return false;
        }
        if (airflowMajor >= 3) {
            return header.startsWith("Bearer ") && tokens.contains(header.substring(7));
        }
        return header.equals("Basic " + Base64.getEncoder().encodeToString((USER + ":" + PASSWORD)
                .getBytes(StandardCharsets.UTF_8)));
    }

    private static ObjectNode collection(String field, List<ObjectNode> all, Request r) {
        Predicate<ObjectNode> match = n -> true;
        List<String> states = r.query().get("state");
        if (states != null) {
            match = match.and(n -> states.contains(n.path("state").asText(null)));
        }
        String endGte = r.param("end_date_gte");
        if (endGte != null) {
            long bound = Times.parseMs(endGte);
            match = match.and(n -> {
                Long end = Times.parseMs(n.path("end_date").asText(null));
                return end != null && end >= bound;
            });
        }
        List<ObjectNode> matching = all.stream().filter(match).toList();
        ObjectNode out = JSON.createObjectNode();
        out.putArray(field).addAll(page(matching, r.param("limit"), r.param("offset"), 100));
        out.put("total_entries", matching.size());
        return out;
    }
}

package io.taskmeter.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** The report of one local session, read through the insights API: as JSON, or as a table for people. */
final class Report {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Report() {
    }

    /** Attempts this session started on this host, and the tasks they belong to (with their whole history). */
    static ObjectNode collect(LocalPipeline pipeline, String hostId, String sinceIso) throws IOException {
        ObjectNode report = JSON.createObjectNode();
        ArrayNode attempts = report.putArray("attempts");
        ArrayNode tasks = report.putArray("tasks");
        Set<String> taskIds = new HashSet<>();
        JsonNode all = JSON.readTree(pipeline.get("/v1/tasks?limit=1000")).path("tasks");
        for (JsonNode task : all) {
            String id = task.path("id").asText();
            JsonNode detail = JSON.readTree(pipeline.get("/v1/tasks/" + java.net.URLEncoder.encode(id,
                    java.nio.charset.StandardCharsets.UTF_8) + "?limit=1000"));
            for (JsonNode a : detail.path("attempts")) {
                if (hostId.equals(a.path("host").asText()) && a.path("started_at").asText().compareTo(sinceIso) >= 0) {
                    attempts.add(a);
                    if (taskIds.add(id)) {
                        tasks.add(task);
                    }
                }
            }
        }
        ArrayNode stalls = report.putArray("stalls");
        for (JsonNode alert : JSON.readTree(pipeline.get("/v1/stalls?limit=1000")).path("stalls")) {
            if (hostId.equals(alert.path("host").asText()) && alert.path("changed_at").asText().compareTo(sinceIso) >= 0) {
                stalls.add(alert);
            }
        }
        return report;
    }

    static void printJson(ObjectNode report, PrintStream out) throws IOException {
        out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(report));
    }

    static void printTable(ObjectNode report, PrintStream out) {
        out.println();
        out.printf(Locale.ROOT, "%-40s %-9s %8s %13s %10s %10s %10s %11s%n", "ATTEMPT (orchestrator task [try])",
                "STATE", "CPU s", "cores avg/p95", "alloc", "peak mem", "read", "written");
        for (JsonNode a : report.path("attempts")) {
            JsonNode u = a.path("usage");
            String name = a.path("orchestrator").asText() + " " + shortName(a) + (a.hasNonNull("try_number")
                    ? " [" + a.path("try_number").asText() + "]" : "")
                    + (a.path("map_index").asInt(-1) >= 0 ? " map " + a.path("map_index").asInt() : "");
            // The orchestrator's state (success, up_for_retry, ...) says more than the host's finished/running.
            String state = a.path("orchestrator_metadata").path("state").asText(a.path("state").asText());
            out.printf(Locale.ROOT, "%-40s %-9s %8.2f %6.2f/%-6.2f %10s %10s %10s %11s%n", clip(name, 40),
                    state, u.path("cpu_seconds").asDouble(), u.path("avg_cores").asDouble(),
                    u.path("p95_cores").asDouble(), String.format(Locale.ROOT, "%.1f cpu", a.path("allocation").path("cpus").asDouble()),
                    bytes(u.path("peak_rss_bytes").asLong()), bytes(u.path("read_bytes").asLong()),
                    bytes(u.path("write_bytes").asLong()));
            JsonNode c = a.path("cost");
            out.printf(Locale.ROOT, "%-40s cost $%.6f allocated, $%.6f used, $%.6f waste (%s); %d processes seen, "
                            + "attributed by %s; allocation: %s%n", "", c.path("allocated_usd").asDouble(),
                    c.path("used_usd").asDouble(), c.path("waste_usd").asDouble(), c.path("price_source").asText(),
                    u.path("processes_seen").asLong(), a.path("attributed_by").asText(),
                    a.path("allocation").path("source").asText());
            if (a.hasNonNull("run")) {
                out.printf(Locale.ROOT, "%-40s run %s%s%n", "", a.path("run").asText(),
                        a.path("orchestrator_metadata").path("shared").asBoolean(false)
                                ? "; CPU is a time share: this task run overlapped another in its flow-run process" : "");
            }
            JsonNode d = a.path("diagnosis");
            if (!d.isMissingNode() && !d.isNull()) {
                List<String> says = new ArrayList<>();
                d.path("evidence").forEach(e -> says.add(e.asText()));
                d.path("suggestions").forEach(e -> says.add("→ " + e.asText()));
                out.printf(Locale.ROOT, "%-40s %s: %s%n", "", d.path("primary").asText().toUpperCase(Locale.ROOT),
                        String.join("; ", says));
            }
        }
        if (!report.path("stalls").isEmpty()) {
            out.println();
            out.println("STALL ALERTS (sent while the task was running; SNS when deployed)");
            for (JsonNode s : report.path("stalls")) {
                out.printf(Locale.ROOT, "%-9s %-8s %s.%s since %s: %s%n", s.path("state").asText(), s.path("kind").asText(),
                        s.path("dag_or_flow").asText(), s.path("task").asText(), s.path("since").asText(),
                        s.path("signals").path("meaning").asText());
            }
        }
        out.println();
        out.println("RECOMMENDATIONS (per task, over its attempts in the last 14 days)");
        for (JsonNode t : report.path("tasks")) {
            JsonNode r = t.path("recommendation");
            out.printf(Locale.ROOT, "%s  →  %.2f cores, %s  [%s, %s confidence]%n    %s%n", t.path("id").asText(),
                    r.path("cpu_cores").asDouble(), bytes(r.path("memory_bytes").asLong()), r.path("finding").asText(),
                    r.path("confidence").asText(), r.path("explanation").asText());
        }
    }

    private static String shortName(JsonNode a) {
        String group = a.path("dag_or_flow").asText("");
        return (group.isEmpty() || "null".equals(group) ? "" : group + ".") + a.path("task").asText();
    }

    private static String clip(String s, int n) {
        return s.length() <= n ? s : s.substring(0, n - 1) + "…";
    }

    static String bytes(long b) {
        if (b < 1024) {
            return b + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = b;
        int i = -1;
        while (v >= 1024 && i < units.length - 1) {
            v /= 1024;
            i++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[i]);
    }
}

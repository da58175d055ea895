package io.taskmeter.core.metadata;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The bodies the push endpoint ({@code POST /v1/events}) accepts, to records (docs/orchestrators.md):
 * <ul>
 *   <li>a Prefect event ({@code event}, {@code resource}), as an automation's {@code call-webhook} action sends
 *       it with the shipped template, or {@code {"events": [...]}};</li>
 *   <li>an OpenLineage run event of Airflow's provider ({@code eventType}, {@code run});</li>
 *   <li>the Airflow listener plugin's body: {@code {"task_instances": [...]}} and/or {@code {"dag_runs": [...]}}
 *       in the shape of the Airflow REST API, read by {@link AirflowParser};</li>
 *   <li>a JSON array of any of these.</li>
 * </ul>
 * Pure; a body none of these describe is an error that says what was expected.
 */
public final class PushedEvents {
    private PushedEvents() {
    }

    public static List<MetadataRecord> parse(JsonNode body) throws MetadataFormatException {
        List<MetadataRecord> out = new ArrayList<>();
        add(body, out, 0);
        return out;
    }

    private static void add(JsonNode body, List<MetadataRecord> out, int depth) throws MetadataFormatException {
        if (body == null || body.isNull() || body.isMissingNode()) {
            throw new MetadataFormatException("empty body: send a Prefect event, an OpenLineage run event or "
                    + "{\"task_instances\": [...]}");
        }
        if (body.isArray() && depth == 0) {
            for (JsonNode item : body) {
                add(item, out, 1);
            }
            return;
        }
        if (!body.isObject()) {
            throw new MetadataFormatException("not a JSON object");
        }
        if (body.has("events") && body.get("events").isArray() && depth == 0) {
            for (JsonNode item : body.get("events")) {
                add(item, out, 1);
            }
            return;
        }
        if (body.has("task_instances") || body.has("dag_runs")) {
            int before = out.size();
            if (body.has("task_instances")) {
                out.addAll(AirflowParser.taskInstances(body));
            }
            if (body.has("dag_runs")) {
                out.addAll(AirflowParser.dagRuns(body));
            }
            if (out.size() == before) {
                throw new MetadataFormatException("task_instances/dag_runs hold no entry with a dag_id (and task_id)");
            }
            return;
        }
        Optional<MetadataRecord> r;
        if (body.has("event") && body.has("resource")) {
            r = EventParser.prefect(body);
            if (r.isEmpty()) {
                // Prefect sends many kinds of events; those about other resources carry nothing for us.
                return;
            }
        } else if (body.has("eventType") && body.has("run")) {
            r = EventParser.openLineage(body);
            if (r.isEmpty()) {
                return; // a DAG-level or non-Airflow OpenLineage event
            }
        } else {
            throw new MetadataFormatException("unrecognised event: expected a Prefect event (event, resource), an "
                    + "OpenLineage run event (eventType, run) or {\"task_instances\": [...]}");
        }
        out.add(r.get());
    }
}

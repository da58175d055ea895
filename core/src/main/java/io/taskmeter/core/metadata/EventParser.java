package io.taskmeter.core.metadata;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Pushed events to records, for the push endpoint (docs/orchestrators.md): Prefect events as an automation's
 * {@code call-webhook} action or {@code /events/filter} delivers them ({@code prefect.flow-run.*},
 * {@code prefect.task-run.*}, {@code prefect.worker.executed-flow-run}), and OpenLineage run events of Airflow's
 * OpenLineage provider (task START/COMPLETE/FAIL). An event carries only some facts; fields it does not carry are
 * null, and ingest writes only what a record has, so a partial record never erases a fuller one.
 */
public final class EventParser {
    private static final String FLOW_RUN = "prefect.flow-run.";
    private static final String TASK_RUN = "prefect.task-run.";

    private EventParser() {
    }

    public static Optional<MetadataRecord> prefect(JsonNode event) {
        String name = Json.text(event, "event");
        JsonNode resource = event.path("resource");
        String resourceId = Json.text(resource, "prefect.resource.id");
        Long occurred = Json.time(event, "occurred");
        if (name == null || resourceId == null) {
            return Optional.empty();
        }
        if (resourceId.startsWith(FLOW_RUN) || resourceId.startsWith(TASK_RUN)) {
            boolean flowRun = resourceId.startsWith(FLOW_RUN);
            String id = resourceId.substring(flowRun ? FLOW_RUN.length() : TASK_RUN.length()).toLowerCase(Locale.ROOT);
            String stateType = Json.text(resource, "prefect.state-type");
            MetadataRecord.Builder b = MetadataRecord.builder(flowRun ? MetadataRecord.FLOW_RUN : MetadataRecord.TASK_RUN,
                            "prefect", "prefect-event")
                    .id(id).taskName(Json.text(resource, "prefect.resource.name"))
                    .state(States.prefect(stateType)).rawState(Json.text(resource, "prefect.state-name"))
                    .stateMessage(Json.text(resource, "prefect.state-message"))
                    .tryNumber(Json.integer(resource, "prefect.run-count")).updatedMs(occurred);
            List<String> tags = new ArrayList<>();
            for (JsonNode rel : Json.items(event, "related")) {
                String role = Json.text(rel, "prefect.resource.role");
                String relName = Json.text(rel, "prefect.resource.name");
                String relId = Json.text(rel, "prefect.resource.id");
                if (role == null || relId == null) {
                    continue;
                }
                switch (role) {
                    case "flow" -> b.dagOrFlow(relName).flowId(suffix(relId, "prefect.flow."));
                    case "deployment" -> b.deploymentId(suffix(relId, "prefect.deployment.")).deploymentName(relName);
                    case "work-pool" -> b.workPool(relName);
                    case "work-queue" -> b.workQueue(relName);
                    case "tag" -> tags.add(suffix(relId, "prefect.tag."));
                    default -> {
                    }
                }
            }
            if (!tags.isEmpty()) {
                b.tags(tags);
            }
            if (flowRun) {
                b.run(id);
            } else {
                JsonNode tr = event.path("payload").path("task_run");
                String parent = tr.isObject() ? Json.text(tr, "flow_run_id") : null;
                b.run(parent == null ? null : parent.toLowerCase(Locale.ROOT));
                if (tr.isObject()) {
                    b.task(Json.text(tr, "task_key"));
                    if (Json.strings(tr, "tags") != null && tags.isEmpty()) {
                        b.tags(Json.strings(tr, "tags"));
                    }
                }
            }
            return Optional.of(b.build());
        }
        if (name.equals("prefect.worker.executed-flow-run") || name.equals("prefect.worker.submitted-flow-run")) {
            String workerType = Json.text(resource, "prefect.worker-type");
            for (JsonNode rel : Json.items(event, "related")) {
                String relId = Json.text(rel, "prefect.resource.id");
                if ("flow-run".equals(Json.text(rel, "prefect.resource.role")) && relId != null
                        && relId.startsWith(FLOW_RUN)) {
                    String id = relId.substring(FLOW_RUN.length()).toLowerCase(Locale.ROOT);
                    InfrastructurePid infra = identifier(Json.text(rel, "prefect.infrastructure.identifier"),
                            workerType);
                    MetadataRecord.Builder b = MetadataRecord.builder(MetadataRecord.FLOW_RUN, "prefect",
                            "prefect-event").id(id).run(id).taskName(Json.text(rel, "prefect.resource.name"))
                            .infrastructure(infra).updatedMs(occurred);
                    if (infra != null && "process".equals(infra.kind())) {
                        b.hostname(infra.host()).pid(infra.pid());
                    }
                    for (JsonNode other : Json.items(event, "related")) {
                        if ("work-pool".equals(Json.text(other, "prefect.resource.role"))) {
                            b.workPool(Json.text(other, "prefect.resource.name"));
                        }
                    }
                    return Optional.of(b.build());
                }
            }
        }
        return Optional.empty();
    }

    /**
     * A worker's infrastructure identifier. Kubernetes workers name only the job in events, which
     * {@link InfrastructurePid#parse} cannot tell from other names: the worker type says it.
     */
    static InfrastructurePid identifier(String raw, String workerType) {
        InfrastructurePid p = InfrastructurePid.parse(raw);
        if (p != null && "unknown".equals(p.kind()) && "kubernetes".equals(workerType) && !raw.contains(":")) {
            return new InfrastructurePid("kubernetes", raw, null, null, null, null, null, null, raw.strip(), null, null);
        }
        return p;
    }

    /**
     * An OpenLineage run event of Airflow's provider for a task (job name {@code <dag>.<task>} with an
     * {@code airflow} run facet): a task-instance record with what the event knows.
     */
    public static Optional<MetadataRecord> openLineage(JsonNode event) {
        JsonNode airflow = event.path("run").path("facets").path("airflow");
        JsonNode task = airflow.path("task");
        JsonNode dagRun = airflow.path("dagRun");
        String dag = Json.text(dagRun, "dag_id");
        String taskId = Json.text(task, "task_id");
        if (dag == null || taskId == null) {
            return Optional.empty();
        }
        String type = Json.text(event, "eventType");
        String state = type == null ? null : switch (type.toUpperCase(Locale.ROOT)) {
            case "START", "RUNNING" -> States.RUNNING;
            case "COMPLETE" -> States.SUCCESS;
            case "FAIL" -> States.FAILED;
            case "ABORT" -> "cancelled";
            default -> null;
        };
        Long at = Json.time(event, "eventTime");
        MetadataRecord.Builder b = MetadataRecord.builder(MetadataRecord.TASK_INSTANCE, "airflow", "openlineage")
                .dagOrFlow(dag).task(taskId).run(Json.text(dagRun, "run_id"))
                .tryNumber(Json.integer(airflow.path("taskInstance"), "try_number"))
                .mapIndex(Optional.ofNullable(Json.integer(airflow.path("taskInstance"), "map_index")).orElse(-1))
                .state(state).rawState(type).operator(Json.text(task, "operator_class"))
                .queue(Json.text(task, "queue")).updatedMs(at);
        if (States.RUNNING.equals(state)) {
            b.startMs(at);
        } else if (state != null) {
            b.endMs(at);
        }
        return Optional.of(b.build());
    }

    private static String suffix(String id, String prefix) {
        return id.startsWith(prefix) ? id.substring(prefix.length()) : id;
    }
}

package io.taskmeter.core.metadata;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Prefect 2/3 REST responses to records: {@code POST /flow_runs/filter} (an array of FlowRunResponse) and
 * {@code POST /task_runs/filter} (an array of TaskRun). Flow names are not in a flow run; {@code flowNames}
 * maps a flow id to its name where the caller looked it up (else the flow id stands in).
 */
public final class PrefectParser {
    private PrefectParser() {
    }

    public static List<MetadataRecord> flowRuns(JsonNode array, Function<String, String> flowNames,
                                                Function<String, String> deploymentNames) {
        List<MetadataRecord> out = new ArrayList<>();
        for (JsonNode fr : Json.items(array, "flow_runs")) {
            String id = Json.text(fr, "id");
            if (id == null) {
                continue;
            }
            String flowId = Json.text(fr, "flow_id");
            String name = flowId == null ? null : flowNames.apply(flowId);
            String deploymentId = Json.text(fr, "deployment_id");
            InfrastructurePid infra = InfrastructurePid.parse(Json.text(fr, "infrastructure_pid"));
            MetadataRecord.Builder b = common(fr, MetadataRecord.FLOW_RUN).id(id.toLowerCase(Locale.ROOT))
                    .dagOrFlow(name != null ? name : flowId).flowId(flowId)
                    .taskName(Json.text(fr, "name"))
                    .run(id.toLowerCase(Locale.ROOT))
                    .deploymentId(deploymentId)
                    .deploymentName(deploymentId == null ? null : deploymentNames.apply(deploymentId))
                    .workPool(Json.text(fr, "work_pool_name")).workQueue(Json.text(fr, "work_queue_name"))
                    .infrastructure(infra);
            if (infra != null && "process".equals(infra.kind())) {
                b.hostname(infra.host()).pid(infra.pid());
            }
            Map<String, Object> vars = Json.object(fr, "job_variables");
            Requests.fromJobVariables(vars, infra != null && "ecs".equals(infra.kind())).ifPresent(b::requests);
            out.add(b.build());
        }
        return out;
    }

    public static List<MetadataRecord> taskRuns(JsonNode array) {
        List<MetadataRecord> out = new ArrayList<>();
        for (JsonNode tr : Json.items(array, "task_runs")) {
            String id = Json.text(tr, "id");
            if (id == null) {
                continue;
            }
            String flowRun = Json.text(tr, "flow_run_id");
            out.add(common(tr, MetadataRecord.TASK_RUN).id(id.toLowerCase(Locale.ROOT))
                    .task(Json.text(tr, "task_key")).taskName(Json.text(tr, "name"))
                    .run(flowRun == null ? null : flowRun.toLowerCase(Locale.ROOT))
                    .mapIndex(dynamicKey(Json.text(tr, "dynamic_key")))
                    .build());
        }
        return out;
    }

    private static MetadataRecord.Builder common(JsonNode n, String type) {
        JsonNode state = n.path("state");
        String rawType = Json.text(n, "state_type");
        if (rawType == null && state.isObject()) {
            rawType = Json.text(state, "type");
        }
        String message = state.isObject() ? Json.text(state, "message") : null;
        String stateName = Json.text(n, "state_name");
        return MetadataRecord.builder(type, "prefect", "prefect")
                .state(States.prefect(rawType)).rawState(stateName != null ? stateName : rawType)
                .stateMessage(message)
                .oomKilled(message != null && message.toLowerCase(Locale.ROOT).contains("oomkilled") ? true : null)
                .tryNumber(Json.integer(n, "run_count"))
                .startMs(Json.time(n, "start_time")).endMs(Json.time(n, "end_time"))
                .updatedMs(Json.time(n, "updated"))
                .tags(Json.strings(n, "tags"));
    }

    /** A task run's dynamic key is its index among runs of the same task in the flow run: "0", "1", … */
    private static Integer dynamicKey(String key) {
        if (key == null) {
            return null;
        }
        try {
            return Integer.parseInt(key);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}

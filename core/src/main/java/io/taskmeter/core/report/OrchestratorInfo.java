package io.taskmeter.core.report;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/**
 * What the orchestrator said about an attempt, as the API shows it (null when it said nothing yet).
 *
 * @param state        the orchestrator's state, normalised ({@code success}, {@code failed}, {@code up_for_retry},
 *                     {@code crashed}, {@code running}, ...); {@code rawState} as it wrote it
 * @param requestSource where the requested resources came from ({@code airflow.executor_config.pod_override},
 *                     {@code prefect.job_variables}, ...), null without a request
 * @param partOf       for a Prefect task run: the attempt id of its flow run, which carries the flow run's cost
 * @param shared       for a Prefect task run: its window overlapped another task run's, so its CPU is a time
 *                     share of the flow-run process rather than a measurement
 * @param records      how many orchestrator records were merged into this view
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record OrchestratorInfo(String source, String api, String id, String state, String rawState,
                               Boolean oomKilled, String startedAt, String endedAt, String hostname, Integer pid,
                               String queue, String pool, String operator, String executor, String workPool,
                               String deploymentName, List<String> tags, String requestSource, String partOf,
                               Boolean shared, int records) {
}

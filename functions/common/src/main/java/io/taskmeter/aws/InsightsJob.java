package io.taskmeter.aws;

import io.taskmeter.core.cost.HostCost;
import io.taskmeter.core.cost.PriceTable;
import io.taskmeter.core.report.AttemptRecord;
import io.taskmeter.core.report.AttemptSummary;
import io.taskmeter.core.report.CostRollup;
import io.taskmeter.core.report.TaskSummary;
import io.taskmeter.core.report.InsightsCalculator;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/** The scheduled job: read every attempt, compute recommendations and costs in core, store the documents. */
public final class InsightsJob {
    private static final Logger LOG = Logger.getLogger(InsightsJob.class.getName());

    private final AttemptStore attempts;
    private final InsightsStore insights;
    private final InsightsCalculator calculator;
    private final UsageStore usage;
    private final PriceTable prices;
    private final MetadataStore metadata;

    public InsightsJob(AttemptStore attempts, InsightsStore insights, InsightsCalculator calculator, UsageStore usage,
                       PriceTable prices, MetadataStore metadata) {
        this.metadata = metadata;
        this.usage = usage;
        this.prices = prices;
        this.attempts = attempts;
        this.insights = insights;
        this.calculator = calculator;
    }

    /**
     * What one run computed. {@code running} lists the attempts still running (the host-silence check needs
     * them); the summaries of finished attempts are written and not kept.
     */
    public record Result(long computedAtMs, int attempts, List<TaskSummary> tasks, List<CostRollup> costs,
                         List<AttemptSummary> running) {
    }

    public Result run(long nowMs) {
        long t0 = System.nanoTime();
        InsightsCalculator.Run run = calculator.start(nowMs);
        List<AttemptSummary> running = new ArrayList<>();
        try (InsightsStore.Writer writer = insights.writer()) {
            attempts.forEach(a -> {
                if (a.contributions().isEmpty()) {
                    return; // orchestrator records of an attempt whose usage has not arrived (yet)
                }
                List<io.taskmeter.core.metadata.AttachedRecord> records = new ArrayList<>(a.records());
                records.addAll(metadata.joined(a.contributions()));
                List<AttemptSummary> summaries = run.addAll(new AttemptRecord(a.attemptId(), meta(a),
                        a.contributions(), records));
                for (AttemptSummary summary : summaries) {
                    writer.attempt(summary);
                    if ("running".equals(summary.state()) && summary == summaries.get(0)) {
                        running.add(summary);
                    }
                }
            });
            List<TaskSummary> tasks = run.tasks();
            List<CostRollup> costs = run.costs();
            writer.tasksAndCosts(tasks, costs, nowMs, run.attempts());
            List<HostCost.Day> days = new ArrayList<>();
            run.allocatedByHost().keySet().forEach(host -> days.addAll(usage.hostDays(host)));
            HostCost.compute(days, run.allocatedByHost(), run.unattributedByHost(), prices).forEach(writer::host);
            Result result = new Result(nowMs, run.attempts(), tasks, costs, running);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            LOG.info(() -> "{\"event\":\"insights_computed\",\"attempts\":" + result.attempts() + ",\"tasks\":"
                    + tasks.size() + ",\"ms\":" + ms + "}");
            return result;
        }
    }

    private static Map<String, String> meta(AttemptStore.StoredAttempt a) {
        Map<String, String> meta = new HashMap<>();
        if (a.meta() != null) {
            for (Map.Entry<String, AttributeValue> e : a.meta().entrySet()) {
                AttributeValue v = e.getValue();
                if (v.s() != null) {
                    meta.put(e.getKey(), v.s());
                } else if (v.n() != null) {
                    meta.put(e.getKey(), v.n());
                }
            }
        }
        return meta;
    }
}

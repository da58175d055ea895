package io.taskmeter.aws;

import io.taskmeter.core.report.AttemptRecord;
import io.taskmeter.core.report.Insights;
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

    public InsightsJob(AttemptStore attempts, InsightsStore insights, InsightsCalculator calculator) {
        this.attempts = attempts;
        this.insights = insights;
        this.calculator = calculator;
    }

    public Insights run(long nowMs) {
        long t0 = System.nanoTime();
        List<AttemptRecord> records = new ArrayList<>();
        for (AttemptStore.StoredAttempt a : attempts.all().values()) {
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
            records.add(new AttemptRecord(a.attemptId(), meta, a.contributions()));
        }
        Insights result = calculator.compute(records, nowMs);
        insights.write(result);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        LOG.info(() -> "{\"event\":\"insights_computed\",\"attempts\":" + result.attempts().size() + ",\"tasks\":"
                + result.tasks().size() + ",\"ms\":" + ms + "}");
        return result;
    }
}

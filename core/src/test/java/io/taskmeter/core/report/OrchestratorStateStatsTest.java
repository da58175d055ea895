package io.taskmeter.core.report;

import io.taskmeter.core.cost.PriceTable;
import io.taskmeter.core.rightsizing.AttemptStats;
import io.taskmeter.core.rightsizing.RightsizingSettings;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The orchestrator's state (META {@code state}, {@code oom_killed}) decides success for rightsizing. */
class OrchestratorStateStatsTest {
    private static AttemptStats stats(Map<String, String> extra) {
        AttemptRecord r = ReportRenderTest.attempt("a", "etl", "load", ReportRenderTest.NOW - 86_400_000L, 1.0);
        Map<String, String> meta = new HashMap<>(r.meta());
        meta.putAll(extra);
        AttemptSummary s = new InsightsCalculator(PriceTable.builtIn(), RightsizingSettings.defaults())
                .summarize(new AttemptRecord(r.attemptId(), meta, r.slices()),
                        PriceTable.builtIn().unitPrices("m5.large", 2, 8L << 30));
        return InsightsCalculator.statsOf(s, meta);
    }

    @Test
    void stateDecidesSuccessAndOom() {
        assertTrue(stats(Map.of()).succeeded(), "no metadata: a finished attempt counts as succeeded");
        assertTrue(stats(Map.of("state", "success")).succeeded());
        assertFalse(stats(Map.of("state", "failed")).succeeded());
        assertFalse(stats(Map.of("state", "up_for_retry")).succeeded());
        AttemptStats oom = stats(Map.of("state", "crashed", "oom_killed", "true"));
        assertFalse(oom.succeeded());
        assertTrue(oom.oomKilled());
    }
}

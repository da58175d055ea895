package io.taskmeter.core.report;

import io.taskmeter.core.cost.PriceTable;
import io.taskmeter.core.rightsizing.RightsizingSettings;
import io.taskmeter.core.stall.StallAlert;
import io.taskmeter.core.usage.Intervals;
import io.taskmeter.core.usage.UsageSlice;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReportRenderTest {
    static final long NOW = 1_763_800_000_000L;

    static AttemptRecord attempt(String id, String dag, String task, long start, double cores) {
        int n = 60;
        double[] s = new double[n];
        double[] c = new double[n];
        long[] m = new long[n];
        long[] t = new long[n];
        for (int i = 0; i < n; i++) {
            s[i] = 1;
            c[i] = cores;
            m[i] = 200L << 20;
            t[i] = start + (i + 1) * 1000L;
        }
        UsageSlice slice = new UsageSlice("u-" + id, "h/b/1", "host-1", "airflow", "title", Map.of(), "cmd", start,
                start + n * 1000L, start, start + n * 1000L, cores * n, 200L << 20, 0, 0, 0, 0, 2, 2, 0,
                new Intervals(s, c, m, t, new long[n], new long[n], new int[n]), "m5.large", 2, 8L << 30);
        return new AttemptRecord(id, Map.of("orchestrator", "airflow", "dag_or_flow", dag, "task", task,
                "try_number", "1", "run", "r1"), List.of(slice));
    }

    @Test
    void htmlCsvAndJsonCarryTheWeekAndEscapeWhatUsersNamed() {
        Insights insights = new InsightsCalculator(PriceTable.builtIn(), RightsizingSettings.defaults())
                .compute(List.of(attempt("a1", "etl", "<script>x</script>", NOW - 86_400_000L, 1.0),
                        attempt("a2", "etl", "load", NOW - 3 * 86_400_000L, 0.1),
                        attempt("old", "etl", "load", NOW - 20 * 86_400_000L, 0.1)), NOW);
        StallAlert stall = new StallAlert("a2", "airflow:etl:load", "airflow", "etl", "load", "r1", "1", "host-1",
                "stall", "recovered", Instant.ofEpochMilli(NOW - 2 * 86_400_000L).toString(),
                Instant.ofEpochMilli(NOW - 2 * 86_400_000L + 900_000).toString(), Map.of(), "/v1/attempts/a2");
        WeeklyReport report = WeeklyReport.of(insights, List.of(stall), NOW - 7 * 86_400_000L, NOW);
        assertEquals(2, report.attempts().size(), "the 20-day-old attempt is outside the week");
        assertEquals(1, report.totals().stalls());
        assertEquals(report.totals().allocatedUsd() - report.totals().usedUsd(), report.totals().wasteUsd(), 1e-12);

        String html = ReportHtml.render(report);
        for (String id : List.of("headline", "savings", "chart-cpu", "chart-memory", "chart-cost", "chart-trend",
                "chart-stalls")) {
            assertTrue(html.contains("id=\"" + id + "\""), id);
        }
        assertEquals(2, html.split("class=\"attempt-timeline\"", -1).length - 1);
        assertFalse(html.contains("<script>"), "task names are escaped");
        assertTrue(html.contains("&lt;script&gt;"));

        String csv = ReportCsv.render(report);
        assertEquals(3, csv.split("\n").length, csv);
        assertTrue(csv.lines().skip(1).allMatch(l -> l.contains(",airflow,etl,")), csv);
    }

    @Test
    void anAttemptTimelineShowsTheOrchestratorsWindowAndStateAboveWhatItsProcessesDid() {
        long start = NOW - 86_400_000L;
        Insights insights = new InsightsCalculator(PriceTable.builtIn(), RightsizingSettings.defaults())
                .compute(List.of(attempt("a1", "etl", "load", start, 1.0)), NOW);
        AttemptSummary plain = insights.attempts().get(0);
        // The scheduler started the task 30 s before its processes and marked it failed 30 s after they ended.
        OrchestratorInfo info = new OrchestratorInfo("airflow", "v2", "ti-1", "failed", "up_for_retry", null,
                Instant.ofEpochMilli(start - 30_000).toString(), Instant.ofEpochMilli(start + 90_000).toString(),
                "host-1", 42, null, null, null, null, null, null, List.of(), null, null, null, 1);
        WeeklyReport with = WeeklyReport.of(new Insights(insights.computedAtMs(), List.of(
                plain.withOrchestratorMetadata(info)), insights.tasks(), insights.costs()), List.of(),
                NOW - 7 * 86_400_000L, NOW);
        String html = ReportHtml.render(with);
        int at = html.indexOf("class=\"orchestrator-state\"");
        assertTrue(at > 0, "the orchestrator's band is drawn");
        String rect = html.substring(at, html.indexOf("/>", at));
        assertTrue(rect.contains("data-state=\"failed\""), rect);
        // The axis runs from the orchestrator's start (30 s early) to its end (90 s after the processes' start):
        // 120 s over 760 px, the band spans all of it.
        assertTrue(rect.contains("x=\"0.0\""), rect);
        assertTrue(rect.contains("width=\"760.0\""), rect);
        assertTrue(html.contains("airflow says failed (up_for_retry)"));

        String without = ReportHtml.render(WeeklyReport.of(insights, List.of(), NOW - 7 * 86_400_000L, NOW));
        assertFalse(without.contains("orchestrator-state"), "no band without the orchestrator's record");
    }

    @Test
    void csvCellsCannotBecomeFormulas() {
        assertEquals("'=HYPERLINK(1)", ReportCsv.cell("=HYPERLINK(1)"));
        assertEquals("\"a,b\"", ReportCsv.cell("a,b"));
    }
}

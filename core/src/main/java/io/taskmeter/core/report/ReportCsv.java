package io.taskmeter.core.report;

import java.util.Locale;

/** The report's attempts as CSV, one row each, for spreadsheets. */
public final class ReportCsv {
    private ReportCsv() {
    }

    public static String render(WeeklyReport report) {
        StringBuilder sb = new StringBuilder("attempt_id,task_id,orchestrator,dag_or_flow,task,run,try,host,state,"
                + "started_at,ended_at,duration_s,cpu_seconds,avg_cores,p95_cores,peak_rss_bytes,read_bytes,"
                + "write_bytes,alloc_cpus,alloc_memory_bytes,alloc_source,allocated_usd,used_usd,waste_usd,diagnosis\n");
        for (AttemptSummary a : report.attempts()) {
            sb.append(String.join(",", cell(a.id()), cell(a.taskId()), cell(a.orchestrator()), cell(a.dagOrFlow()),
                    cell(a.task()), cell(a.run()), cell(a.tryNumber()), cell(a.host()), cell(a.state()),
                    cell(a.startedAt()), cell(a.endedAt()), num(a.durationSeconds()), num(a.usage().cpuSeconds()),
                    num(a.usage().avgCores()), num(a.usage().p95Cores()), Long.toString(a.usage().peakRssBytes()),
                    Long.toString(a.usage().readBytes()), Long.toString(a.usage().writeBytes()),
                    num(a.allocation().cpus()), Long.toString(a.allocation().memoryBytes()),
                    cell(a.allocation().source()), num(a.cost().allocatedUsd()), num(a.cost().usedUsd()),
                    num(a.cost().wasteUsd()), cell(a.diagnosis() == null ? null : a.diagnosis().primary())))
                    .append('\n');
        }
        return sb.toString();
    }

    private static String num(double v) {
        return String.format(Locale.ROOT, "%.6f", v);
    }

    /** RFC 4180 quoting, and a leading quote for cells a spreadsheet would run as a formula. */
    static String cell(String v) {
        if (v == null) {
            return "";
        }
        String s = v;
        if (!s.isEmpty() && "=+-@".indexOf(s.charAt(0)) >= 0) {
            s = "'" + s;
        }
        return s.contains(",") || s.contains("\"") || s.contains("\n") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }
}

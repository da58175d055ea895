package io.taskmeter.core.report;

import io.taskmeter.core.stall.StallAlert;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The weekly report as one self-contained HTML page: charts are inline SVG (no script, no external asset), so it
 * opens from S3, a mail attachment or a laptop alike.
 */
public final class ReportHtml {
    private static final int W = 760;
    private static final String ALLOC = "#9ecae1";
    private static final String USED = "#08519c";
    private static final String BAD = "#de2d26";

    private ReportHtml() {
    }

    public static String render(WeeklyReport r) {
        StringBuilder h = new StringBuilder(64 * 1024);
        h.append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>taskmeter weekly report</title>")
                .append("<style>body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:800px;color:#222}")
                .append("h1{font-size:1.5em}h2{font-size:1.15em;margin-top:2em;border-bottom:1px solid #ddd}")
                .append("table{border-collapse:collapse;width:100%}td,th{padding:3px 6px;border-bottom:1px solid #eee;")
                .append("text-align:left;vertical-align:top}.n{text-align:right}.k{color:#666}svg text{font:11px sans-serif}")
                .append(".big{font-size:1.6em;font-weight:600}</style></head><body>");
        h.append("<h1>taskmeter weekly report</h1><p class=\"k\">").append(esc(day(r.periodFrom()))).append(" to ")
                .append(esc(day(r.periodTo()))).append(" · generated ").append(esc(r.generatedAt())).append("</p>");
        WeeklyReport.Totals t = r.totals();
        h.append("<table id=\"headline\"><tr><td><div class=\"big\">").append(usd(t.allocatedUsd()))
                .append("</div>allocated</td><td><div class=\"big\">").append(usd(t.usedUsd()))
                .append("</div>used</td><td><div class=\"big\">").append(usd(t.wasteUsd()))
                .append("</div>waste</td><td><div class=\"big\">").append(usd(t.monthlySavingsUsd()))
                .append("/mo</div>to save by rightsizing</td><td><div class=\"big\">").append(t.attempts())
                .append("</div>attempts of ").append(t.tasks()).append(" tasks</td><td><div class=\"big\">")
                .append(t.stalls()).append("</div>stall alerts</td></tr></table>");

        h.append("<h2>Biggest savings first</h2><table id=\"savings\"><tr><th>task</th><th>finding</th>")
                .append("<th>now</th><th>recommended</th><th class=\"n\">$/month</th></tr>");
        for (TaskSummary task : r.tasks()) {
            var rec = task.recommendation();
            h.append("<tr><td>").append(esc(name(task))).append("</td><td>").append(esc(rec.finding()))
                    .append(" <span class=\"k\">(").append(esc(rec.confidence())).append(")</span></td><td>")
                    .append(cores(rec.currentCpus())).append(" / ").append(bytes(rec.currentMemoryBytes()))
                    .append("</td><td>").append(cores(rec.cpuCores())).append(" / ").append(bytes(rec.memoryBytes()))
                    .append("</td><td class=\"n\">").append(usd(rec.monthlyDeltaUsd())).append("</td></tr>")
                    .append("<tr><td colspan=\"5\" class=\"k\">").append(esc(rec.explanation())).append("</td></tr>");
        }
        h.append("</table>");

        h.append("<h2>Slow runs</h2><ul id=\"slow-runs\">");
        boolean anySlow = false;
        for (TaskSummary task : r.tasks()) {
            for (SlowRun slow : task.slowRuns() == null ? List.<SlowRun>of() : task.slowRuns()) {
                anySlow = true;
                h.append("<li><b>").append(esc(name(task))).append("</b> ").append(esc(slow.attemptId()))
                        .append(String.format(Locale.ROOT, ": %.0f s against a usual %.0f s (p90 %.0f s): ",
                                slow.durationSeconds(), slow.fastMedianSeconds(), slow.p90Seconds()))
                        .append(esc(String.join("; ", slow.differences()))).append("</li>");
            }
        }
        h.append(anySlow ? "</ul>" : "<li class=\"k\">No attempt ran much slower than its task usually does.</li></ul>");

        h.append("<h2>Allocation against use, per task</h2><p class=\"k\">Light: allocated. Dark: used (CPU at the p95 "
                + "of attempts, memory at peak).</p>");
        List<String> labels = new ArrayList<>();
        List<double[]> cpu = new ArrayList<>();
        List<double[]> mem = new ArrayList<>();
        for (TaskSummary task : r.tasks()) {
            double p95 = r.attempts().stream().filter(a -> a.taskId().equals(task.id()))
                    .mapToDouble(a -> a.usage().p95Cores()).max().orElse(0);
            long peak = r.attempts().stream().filter(a -> a.taskId().equals(task.id()))
                    .mapToLong(a -> a.usage().peakRssBytes()).max().orElse(0);
            labels.add(name(task));
            cpu.add(new double[] {task.recommendation().currentCpus(), p95});
            mem.add(new double[] {task.recommendation().currentMemoryBytes() / 1048576.0, peak / 1048576.0});
        }
        h.append(pairedBars("chart-cpu", "cores", labels, cpu)).append(pairedBars("chart-memory", "MiB", labels, mem));

        h.append("<h2>Cost by DAG or flow</h2>");
        List<String> groups = new ArrayList<>();
        List<double[]> groupCost = new ArrayList<>();
        for (CostRollup c : r.costs()) {
            if (c.groupBy().equals("dag") || c.groupBy().equals("flow")) {
                groups.add(c.groupBy() + " " + c.key());
                groupCost.add(new double[] {c.allocatedUsd(), c.usedUsd()});
            }
        }
        h.append(pairedBars("chart-cost", "USD", groups, groupCost));
        h.append("<h2>Cost trend</h2>").append(trend(r));
        h.append("<h2>Stalls</h2>").append(stallTimeline(r));
        h.append("<h2>Attempts: what the orchestrator saw, and what happened</h2><p class=\"k\">The band is the "
                + "attempt as the orchestrator ran it; above it, CPU (blue, cores) and memory (red, share of "
                + "peak).</p>");
        List<AttemptSummary> costly = new ArrayList<>(r.attempts());
        costly.sort(Comparator.comparingDouble((AttemptSummary a) -> a.cost().allocatedUsd()).reversed());
        for (AttemptSummary a : costly.subList(0, Math.min(20, costly.size()))) {
            h.append(attemptTimeline(a));
        }
        h.append("</body></html>\n");
        return h.toString();
    }

    private static String pairedBars(String id, String unit, List<String> labels, List<double[]> values) {
        if (labels.isEmpty()) {
            return "<p class=\"k\" id=\"" + id + "\">Nothing in this period.</p>";
        }
        int row = 22;
        int left = 260;
        int height = labels.size() * row + 24;
        double max = values.stream().mapToDouble(v -> Math.max(v[0], v[1])).max().orElse(1);
        max = max <= 0 ? 1 : max;
        StringBuilder s = new StringBuilder();
        s.append("<svg id=\"").append(id).append("\" xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(W)
                .append("\" height=\"").append(height).append("\" role=\"img\">");
        for (int i = 0; i < labels.size(); i++) {
            int y = i * row + 4;
            double a = values.get(i)[0] / max * (W - left - 150);
            double u = values.get(i)[1] / max * (W - left - 150);
            s.append("<text x=\"0\" y=\"").append(y + 14).append("\">").append(esc(clip(labels.get(i), 40)))
                    .append("</text><rect class=\"alloc\" x=\"").append(left).append("\" y=\"").append(y)
                    .append("\" width=\"").append(f(a)).append("\" height=\"16\" fill=\"").append(ALLOC)
                    .append("\"/><rect class=\"used\" x=\"").append(left).append("\" y=\"").append(y + 4)
                    .append("\" width=\"").append(f(u)).append("\" height=\"8\" fill=\"").append(USED)
                    .append("\"/><text x=\"").append(f(left + Math.max(a, u) + 4)).append("\" y=\"").append(y + 13)
                    .append("\">").append(num(values.get(i)[1]) + " / " + num(values.get(i)[0]) + " " + unit).append("</text>");
        }
        return s.append("</svg>").toString();
    }

    private static String trend(WeeklyReport r) {
        Map<String, double[]> byDay = new TreeMap<>();
        for (AttemptSummary a : r.attempts()) {
            double[] v = byDay.computeIfAbsent(day(a.startedAt()), k -> new double[2]);
            v[0] += a.cost().allocatedUsd();
            v[1] += a.cost().usedUsd();
        }
        List<String> days = new ArrayList<>(byDay.keySet());
        List<double[]> values = new ArrayList<>(byDay.values());
        return pairedBars("chart-trend", "USD", days, values);
    }

    private static String stallTimeline(WeeklyReport r) {
        if (r.stalls().isEmpty()) {
            return "<p class=\"k\" id=\"chart-stalls\">No stall, I/O hang or spin this period.</p>";
        }
        long from = Instant.parse(r.periodFrom()).toEpochMilli();
        long to = Instant.parse(r.periodTo()).toEpochMilli();
        int left = 260;
        int row = 20;
        StringBuilder s = new StringBuilder("<svg id=\"chart-stalls\" xmlns=\"http://www.w3.org/2000/svg\" width=\"")
                .append(W).append("\" height=\"").append(r.stalls().size() * row + 10).append("\" role=\"img\">");
        int i = 0;
        for (StallAlert a : r.stalls()) {
            long since = Math.max(from, Instant.parse(a.since()).toEpochMilli());
            long until = "open".equals(a.state()) ? to : Math.min(to, Instant.parse(a.changedAt()).toEpochMilli());
            double x = left + (since - from) / (double) (to - from) * (W - left - 10);
            double w = Math.max(2, (until - since) / (double) (to - from) * (W - left - 10));
            int y = i++ * row + 4;
            s.append("<text x=\"0\" y=\"").append(y + 12).append("\">").append(esc(clip(a.kind() + " "
                            + a.dagOrFlow() + "." + a.task(), 40))).append("</text><rect class=\"stall\" x=\"")
                    .append(f(x)).append("\" y=\"").append(y).append("\" width=\"").append(f(w))
                    .append("\" height=\"14\" fill=\"").append(BAD).append("\"><title>").append(esc(a.kind()))
                    .append(" since ").append(esc(a.since())).append(" (").append(esc(a.state()))
                    .append(")</title></rect>");
        }
        return s.append("</svg>").toString();
    }

    private static String attemptTimeline(AttemptSummary a) {
        Timeline tl = a.timeline();
        StringBuilder s = new StringBuilder("<h3 style=\"font-size:1em\">").append(esc(a.orchestrator())).append(' ')
                .append(esc((a.dagOrFlow() == null ? "" : a.dagOrFlow() + ".") + a.task()))
                .append(a.tryNumber() == null ? "" : " try " + esc(a.tryNumber())).append(" <span class=\"k\">")
                .append(esc(a.startedAt())).append(", ").append(esc(a.orchestratorMetadata() != null
                        && a.orchestratorMetadata().state() != null ? a.orchestratorMetadata().state() : a.state()))
                .append(a.run() == null ? "" : ", run " + esc(a.run())).append(", ")
                .append(a.diagnosis() == null ? "" : esc(a.diagnosis().primary())).append("</span></h3>");
        if (tl == null || tl.t().length == 0) {
            return s.append("<p class=\"k\">No samples.</p>").toString();
        }
        // The orchestrator's own window and state, drawn above what the processes did, so a reader sees both: a task
        // the scheduler held "running" long after its processes went idle, or processes that outlived its end.
        OrchestratorInfo o = a.orchestratorMetadata();
        Long oStart = o == null ? null : millis(o.startedAt());
        Long oEnd = o == null ? null : millis(o.endedAt());
        long t0 = Instant.parse(a.startedAt()).toEpochMilli();
        if (oStart != null) {
            t0 = Math.min(t0, oStart);
        }
        long t1 = Math.max(t0 + 1, Math.max(tl.t()[tl.t().length - 1],
                a.endedAt() == null ? t0 + 1 : Instant.parse(a.endedAt()).toEpochMilli()));
        if (oEnd != null) {
            t1 = Math.max(t1, oEnd);
        }
        boolean band = oStart != null;
        int h = band ? 104 : 90;
        int base = band ? 34 : 20;
        double maxCores = Math.max(a.allocation().cpus(), 0.01);
        long maxRss = 1;
        for (long m : tl.rssBytes()) {
            maxRss = Math.max(maxRss, m);
        }
        StringBuilder cpu = new StringBuilder();
        StringBuilder mem = new StringBuilder();
        for (int i = 0; i < tl.t().length; i++) {
            double x = (tl.t()[i] - t0) / (double) (t1 - t0) * W;
            cpu.append(f(x)).append(',').append(f(h - base - Math.min(1, tl.cores()[i] / maxCores) * (h - base - 10))).append(' ');
            mem.append(f(x)).append(',').append(f(h - base - tl.rssBytes()[i] / (double) maxRss * (h - base - 10))).append(' ');
        }
        s.append("<svg class=\"attempt-timeline\" xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(W)
                .append("\" height=\"").append(h).append("\" role=\"img\"><polyline class=\"cpu\" fill=\"none\" stroke=\"")
                .append(USED).append("\" points=\"").append(cpu).append("\"/><polyline class=\"memory\" fill=\"none\" stroke=\"")
                .append(BAD).append("\" points=\"").append(mem).append("\"/>");
        if (band) {
            long end = oEnd != null ? oEnd : t1;
            double x0 = (oStart - t0) / (double) (t1 - t0) * W;
            double width = Math.max(1, (end - oStart) / (double) (t1 - t0) * W);
            String state = o.state() == null ? "unknown" : o.state();
            s.append("<rect class=\"orchestrator-state\" data-state=\"").append(esc(state)).append("\" x=\"")
                    .append(f(x0)).append("\" y=\"").append(h - 28).append("\" width=\"").append(f(width))
                    .append("\" height=\"12\" fill=\"").append(stateColour(state)).append("\"/><text x=\"")
                    .append(f(x0 + 4)).append("\" y=\"").append(h - 18).append("\">")
                    .append(esc(a.orchestrator() + " says " + state + (o.rawState() != null
                            && !o.rawState().equalsIgnoreCase(state) ? " (" + o.rawState() + ")" : "")))
                    .append("</text>");
        }
        s.append("<rect class=\"state\" x=\"0\" y=\"")
                .append(h - 14).append("\" width=\"").append(W).append("\" height=\"12\" fill=\"")
                .append("finished".equals(a.state()) ? "#74c476" : "#fdae6b").append("\"/><text x=\"4\" y=\"")
                .append(h - 4).append("\">").append(esc(band ? "processes " + a.state() : a.state()))
                .append(String.format(Locale.ROOT,
                        " · %.1f s · up to %.2f cores of %.2f · peak %s", a.durationSeconds(), a.usage().p95Cores(),
                        a.allocation().cpus(), bytes(a.usage().peakRssBytes()))).append("</text></svg>");
        if (!a.usage().topProcesses().isEmpty()) {
            s.append("<p class=\"k top-processes\">").append(a.usage().processesSeen())
                    .append(" processes; most CPU: ");
            for (int i = 0; i < a.usage().topProcesses().size(); i++) {
                var p = a.usage().topProcesses().get(i);
                s.append(i == 0 ? "" : "; ").append("<code>").append(esc(clip(p.command(), 80))).append("</code>")
                        .append(String.format(Locale.ROOT, " %.1f s", p.cpuMillis() / 1000.0))
                        .append(p.processes() > 1 ? " ×" + p.processes() : "");
            }
            s.append("</p>");
        }
        return s.toString();
    }

    private static Long millis(String iso) {
        if (iso == null) {
            return null;
        }
        try {
            return Instant.parse(iso).toEpochMilli();
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static String stateColour(String state) {
        return switch (state.toLowerCase(Locale.ROOT)) {
            case "success", "completed", "succeeded" -> "#74c476";
            case "failed", "crashed", "upstream_failed", "oom_killed" -> "#de2d26";
            default -> "#fdae6b";
        };
    }

    private static String name(TaskSummary t) {
        return t.orchestrator() + " " + (t.dagOrFlow() == null ? "" : t.dagOrFlow() + ".") + t.task();
    }

    static String esc(String s) {
        if (s == null) {
            return "";
        }
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;")
                .replace("'", "&#39;");
    }

    private static String clip(String s, int n) {
        return s.length() <= n ? s : s.substring(0, n - 1) + "…";
    }

    private static String day(String iso) {
        try {
            return LocalDate.ofInstant(Instant.parse(iso), ZoneOffset.UTC).toString();
        } catch (RuntimeException e) {
            return iso;
        }
    }

    private static String num(double v) {
        return String.format(Locale.ROOT, Math.abs(v) >= 100 ? "%.0f" : Math.abs(v) >= 0.01 || v == 0 ? "%.2f" : "%.2g", v);
    }

    private static String f(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    private static String usd(double v) {
        return String.format(Locale.ROOT, Math.abs(v) < 1 ? "$%.4f" : "$%.2f", v);
    }

    private static String cores(double v) {
        return String.format(Locale.ROOT, "%.2f cores", v);
    }

    private static String bytes(long b) {
        return b >= 1L << 30 ? String.format(Locale.ROOT, "%.1f GiB", b / (double) (1L << 30))
                : String.format(Locale.ROOT, "%.0f MiB", b / (double) (1L << 20));
    }
}

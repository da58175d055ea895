package io.taskmeter.core.report;

import io.taskmeter.core.attribution.AttemptIdentity;
import io.taskmeter.core.attribution.TaskRunSplit;
import io.taskmeter.core.cost.AttemptCost;
import io.taskmeter.core.cost.CostModel;
import io.taskmeter.core.cost.UnitPrices;
import io.taskmeter.core.identity.Tags;
import io.taskmeter.core.metadata.JoinRules;
import io.taskmeter.core.metadata.MetadataRecord;
import io.taskmeter.core.metadata.OrchestratorFacts;
import io.taskmeter.core.rightsizing.Quantiles;
import io.taskmeter.core.usage.Intervals;
import io.taskmeter.core.usage.UsageSlice;

import java.util.ArrayList;
import java.util.List;

/**
 * Orchestrator facts on attempt summaries, and Prefect task runs as attempts of their own: each task run gets
 * its time share of the flow-run process's CPU ({@link TaskRunSplit}); memory, I/O and the cost stay with the
 * flow run, which the task run names as {@code part_of}.
 */
final class TaskRuns {
    /** A split by time alone: sure of the flow run, less of the thread that did the work. */
    static final double ALONE = 0.8;
    static final double SHARED = 0.5;

    private TaskRuns() {
    }

    static OrchestratorInfo info(OrchestratorFacts facts, String requestSource) {
        if (facts == null || facts.attempt() == null) {
            return null;
        }
        return info(facts.attempt(), requestSource, null, null, recordsOf(facts));
    }

    private static int recordsOf(OrchestratorFacts facts) {
        return (facts.attempt() == null ? 0 : 1) + facts.taskRuns().size();
    }

    private static OrchestratorInfo info(MetadataRecord o, String requestSource, String partOf, Boolean shared,
                                         int records) {
        return new OrchestratorInfo(o.source(), o.api(), o.id(), o.state(), o.rawState(), o.oomKilled(),
                o.startMs() == null ? null : InsightsCalculator.iso(o.startMs()),
                o.endMs() == null ? null : InsightsCalculator.iso(o.endMs()), o.hostname(), o.pid(), o.queue(),
                o.pool(), o.operator(), o.executor(), o.workPool(), o.deploymentName(), o.tags(), requestSource,
                partOf, shared, records);
    }

    static List<AttemptSummary> summaries(AttemptSummary flow, List<UsageSlice> slices, OrchestratorFacts facts,
                                          UnitPrices p) {
        if (facts == null || facts.taskRuns().isEmpty()) {
            return List.of();
        }
        List<MetadataRecord> runs = new ArrayList<>();
        List<TaskRunSplit.Window> windows = new ArrayList<>();
        for (MetadataRecord tr : facts.taskRuns()) {
            if (tr.startMs() != null && tr.id() != null) {
                runs.add(tr);
                windows.add(new TaskRunSplit.Window(tr.key(), tr.startMs(), tr.endMs()));
            }
        }
        List<Intervals> intervals = slices.stream().map(UsageSlice::intervals).toList();
        List<TaskRunSplit.Share> shares = TaskRunSplit.split(intervals, windows);
        List<AttemptSummary> out = new ArrayList<>();
        for (int i = 0; i < runs.size(); i++) {
            out.add(summary(flow, runs.get(i), shares.get(i), p));
        }
        return out;
    }

    private static AttemptSummary summary(AttemptSummary flow, MetadataRecord tr, TaskRunSplit.Share share,
                                          UnitPrices p) {
        String task = tr.task() != null ? tr.task() : tr.taskName() != null ? tr.taskName() : tr.id();
        long end = tr.endMs() != null ? tr.endMs() : java.time.Instant.parse(flow.startedAt()).toEpochMilli()
                + Math.round(flow.durationSeconds() * 1000);
        double seconds = Math.max(0, end - tr.startMs()) / 1000.0;
        double[] cores = share.intervals().stream().mapToDouble(CostModel.Interval::cores).toArray();
        AttemptSummary.Usage u = flow.usage();
        AttemptSummary.Usage usage = new AttemptSummary.Usage(InsightsCalculator.round(share.cpuSeconds(), 3),
                u.peakRssBytes(), 0, 0, 0, 0,
                seconds > 0 ? InsightsCalculator.round(share.cpuSeconds() / seconds, 3) : 0,
                InsightsCalculator.round(cores.length == 0 ? 0 : Quantiles.of(cores, 0.95), 3), 0, 0, 0);
        AttemptCost cost = CostModel.cost(share.intervals(), flow.allocation().cpus(),
                flow.allocation().memoryBytes(), p);
        String id = JoinRules.id(Tags.KIND_PREFECT, "task_run\n" + tr.id());
        String run = tr.run() != null ? tr.run() : flow.run();
        return new AttemptSummary(id, AttemptIdentity.taskId(Tags.KIND_PREFECT, flow.dagOrFlow(), task),
                Tags.KIND_PREFECT, flow.dagOrFlow(), task, run,
                tr.tryNumber() == null ? null : tr.tryNumber().toString(), -1, flow.host(),
                share.shared() ? "metadata:task_run+time_overlap (shared)" : "metadata:task_run+time_window",
                share.shared() ? SHARED : ALONE, tr.endMs() != null ? "finished" : "running",
                InsightsCalculator.iso(tr.startMs()), tr.endMs() == null ? null : InsightsCalculator.iso(tr.endMs()),
                InsightsCalculator.round(seconds, 3), null, usage, flow.allocation(), cost, flow.units(), null, null,
                info(tr, null, flow.id(), share.shared(), 1));
    }
}

package io.taskmeter.core.report;

import io.taskmeter.core.attribution.AttemptIdentity;
import io.taskmeter.core.batch.TopProcess;
import io.taskmeter.core.batch.UnitSeries;
import io.taskmeter.core.cost.AttemptCost;
import io.taskmeter.core.cost.CostModel;
import io.taskmeter.core.cost.PriceTable;
import io.taskmeter.core.cost.UnitPrices;
import io.taskmeter.core.metadata.MetadataRecord;
import io.taskmeter.core.metadata.OrchestratorFacts;
import io.taskmeter.core.metadata.Requests;
import io.taskmeter.core.rightsizing.AttemptStats;
import io.taskmeter.core.rightsizing.QuantileSketch;
import io.taskmeter.core.rightsizing.Recommendation;
import io.taskmeter.core.rightsizing.Rightsizer;
import io.taskmeter.core.rightsizing.RightsizingSettings;
import io.taskmeter.core.stall.StallDetector;
import io.taskmeter.core.usage.UsageSlice;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * From stored attempts to what users read: each attempt's usage totals, allocation and cost; each task's
 * recommendation; cost per DAG/flow, task and run. Pure: the same attempts always give the same insights.
 */
public final class InsightsCalculator {
    private final PriceTable prices;
    private final RightsizingSettings settings;

    public InsightsCalculator(PriceTable prices, RightsizingSettings settings) {
        this.prices = prices;
        this.settings = settings;
    }

    /** Everything at once, for callers that hold all attempts anyway (tests, the local report). */
    public Insights compute(List<AttemptRecord> records, long nowMs) {
        Run run = start(nowMs);
        List<AttemptSummary> attempts = new ArrayList<>();
        for (AttemptRecord r : records) {
            attempts.addAll(run.addAll(r));
        }
        attempts.sort(Comparator.comparing(AttemptSummary::startedAt).reversed());
        return new Insights(nowMs, attempts, run.tasks(), run.costs());
    }

    /**
     * A streaming computation: attempts go in one at a time and their summaries come straight back (to be
     * written and dropped); per task only what rightsizing and slow-run analysis need is kept, so a million
     * attempts fit in a small heap.
     */
    public Run start(long nowMs) {
        return new Run(nowMs);
    }

    public final class Run {
        private final long nowMs;
        private final Map<String, TaskAccumulator> tasks = new TreeMap<>();
        private final Rollups rollups = new Rollups();
        private final Map<String, Double> allocatedByHost = new TreeMap<>();
        private final Map<String, double[]> unattributedByHost = new TreeMap<>();
        private int attempts;

        private Run(long nowMs) {
            this.nowMs = nowMs;
        }

        /** @return the attempt's summary, or null for an attempt with no usage yet */
        public AttemptSummary add(AttemptRecord r) {
            List<AttemptSummary> all = addAll(r);
            return all.isEmpty() ? null : all.get(0);
        }

        /**
         * The attempt's summary first, then one per Prefect task run split out of it; empty for an attempt with
         * no usage yet. Task runs count for their tasks' recommendations, not for costs: their flow run carries
         * the cost once.
         */
        public List<AttemptSummary> addAll(AttemptRecord r) {
            if (r.slices().isEmpty()) {
                return List.of();
            }
            UsageSlice first = r.slices().get(0);
            UnitPrices p = prices.unitPrices(first.instanceType(), first.hostCpus(), first.hostMemoryBytes());
            OrchestratorFacts facts = OrchestratorFacts.merge(r.metadata());
            Map<String, String> meta = withFacts(r.meta(), facts);
            AttemptSummary a = summarize(r, meta, facts, p);
            tasks.computeIfAbsent(a.taskId(), k -> new TaskAccumulator(a, p)).add(a, meta);
            rollups.add(a);
            allocatedByHost.merge(a.host(), a.cost().allocatedUsd(), Double::sum);
            if (a.orchestratorMetadata() == null && !"generic".equals(a.orchestrator())) {
                double[] u = unattributedByHost.computeIfAbsent(a.host(), k -> new double[2]);
                u[0]++;
                u[1] += a.cost().allocatedUsd();
            }
            attempts++;
            List<AttemptSummary> out = new ArrayList<>();
            out.add(a);
            for (AttemptSummary t : TaskRuns.summaries(a, r.slices(), facts, p)) {
                tasks.computeIfAbsent(t.taskId(), k -> new TaskAccumulator(t, p))
                        .add(t, t.orchestratorMetadata().state() == null ? Map.of()
                                : Map.of("state", t.orchestratorMetadata().state()));
                attempts++;
                out.add(t);
            }
            return out;
        }

        public int attempts() {
            return attempts;
        }

        public List<TaskSummary> tasks() {
            List<TaskSummary> out = new ArrayList<>();
            tasks.forEach((id, acc) -> out.add(acc.finish(id, nowMs)));
            return out;
        }

        public List<CostRollup> costs() {
            return rollups.result();
        }

        /**
         * Per host: how many Airflow/Prefect attempts no orchestrator record describes, and their allocated cost
         * (usage that stays with the host's own recognition).
         */
        public Map<String, double[]> unattributedByHost() {
            return unattributedByHost;
        }

        /** What the attempts on each host were allocated, for its idle cost. */
        public Map<String, Double> allocatedByHost() {
            return allocatedByHost;
        }
    }

    /** What a task keeps of each attempt: its rightsizing facts and its slow-run facts, not its summary. */
    private final class TaskAccumulator {
        private final String orchestrator;
        private final String group;
        private final String task;
        private final UnitPrices prices;
        private final List<AttemptStats> stats = new ArrayList<>();
        private final List<SlowRuns.Facts> facts = new ArrayList<>();
        private double allocated;
        private double used;
        private String last = "";

        TaskAccumulator(AttemptSummary first, UnitPrices prices) {
            this.orchestrator = first.orchestrator();
            this.group = first.dagOrFlow();
            this.task = first.task();
            this.prices = prices;
        }

        void add(AttemptSummary a, Map<String, String> meta) {
            allocated += a.cost().allocatedUsd();
            used += a.cost().usedUsd();
            if (a.startedAt().compareTo(last) > 0) {
                last = a.startedAt();
            }
            stats.add(statsOf(a, meta));
            facts.add(SlowRuns.Facts.of(a));
        }

        TaskSummary finish(String taskId, long nowMs) {
            Recommendation rec = Rightsizer.recommend(taskId, stats, prices, settings, nowMs);
            return new TaskSummary(taskId, orchestrator, group, task, stats.size(), last, round(allocated, 6),
                    round(used, 6), rec, SlowRuns.findIn(facts));
        }
    }

    /**
     * Exit status comes with orchestrator metadata (issue 4): until then a finished attempt counts as a success,
     * and a running one is left out of the recommendation.
     */
    static AttemptStats statsOf(AttemptSummary a) {
        return statsOf(a, Map.of());
    }

    /**
     * With orchestrator metadata (META {@code state}, {@code oom_killed}, written by ingest from metadata
     * documents), success is the orchestrator's word: a failed or retried try no longer counts as a success.
     * Without it, a finished attempt still counts as one.
     */
    static AttemptStats statsOf(AttemptSummary a, Map<String, String> meta) {
        String state = meta.get("state");
        boolean succeeded = "finished".equals(a.state())
                && io.taskmeter.core.metadata.States.succeeded(state, true);
        return new AttemptStats(a.id(), Instant.parse(a.startedAt()).toEpochMilli(), a.durationSeconds(),
                succeeded, "true".equals(meta.get("oom_killed")), a.usage().p95Cores(), a.usage().peakRssBytes(),
                a.allocation().cpus(), a.allocation().memoryBytes(), a.allocation().source());
    }

    AttemptSummary summarize(AttemptRecord r, UnitPrices p) {
        OrchestratorFacts facts = OrchestratorFacts.merge(r.metadata());
        return summarize(r, withFacts(r.meta(), facts), facts, p);
    }

    /**
     * The stored META with what the orchestrator says laid over it: its identity, state and requests are the
     * orchestrator's own word, and the attribution is the more confident of the host's and the join's.
     */
    static Map<String, String> withFacts(Map<String, String> stored, OrchestratorFacts facts) {
        if (facts == null) {
            return stored;
        }
        Map<String, String> m = new java.util.HashMap<>(stored);
        MetadataRecord o = facts.attempt();
        if (o != null) {
            putIf(m, "state", o.state());
            putIf(m, "oom_killed", o.oomKilled() == null ? null : o.oomKilled().toString());
            putIf(m, "dag_or_flow", o.dagOrFlow());
            if (!"prefect".equals(o.source())) {
                // A Prefect flow run's own task is the whole flow run; its task runs are split out separately.
                putIf(m, "task", o.task());
            }
            putIf(m, "run", o.run());
            putIf(m, "try_number", o.tryNumber() == null || o.tryNumber() < 1 ? null : o.tryNumber().toString());
            putIf(m, "map_index", o.mapIndex() == null ? null : o.mapIndex().toString());
            if ("airflow".equals(o.source())) {
                putIf(m, "ti_id", o.id());
            }
            Requests req = o.requests();
            if (req != null && !req.isEmpty()) {
                m.put("cpu_request", req.cpuRequest());
                m.put("memory_request", req.memoryRequest());
                m.put("request_source", req.source());
                m.values().removeIf(java.util.Objects::isNull);
            }
        }
        double hostConfidence = parse(stored.get("confidence"), 0);
        if (facts.how() != null && facts.confidence() > hostConfidence) {
            m.put("how", facts.how());
            m.put("confidence", Double.toString(facts.confidence()));
        }
        return m;
    }

    private static void putIf(Map<String, String> m, String key, String value) {
        if (value != null) {
            m.put(key, value);
        }
    }

    AttemptSummary summarize(AttemptRecord r, Map<String, String> m, OrchestratorFacts facts, UnitPrices p) {
        List<UsageSlice> slices = new ArrayList<>(r.slices());
        slices.sort(Comparator.comparingLong(UsageSlice::startMs));
        double cpu = 0;
        long peak = 0;
        long read = 0;
        long write = 0;
        long rchar = 0;
        long wchar = 0;
        int maxProcs = 0;
        long spawned = 0;
        int diskWaitSamples = 0;
        long runningMs = 0;
        long sleepingMs = 0;
        long diskWaitMs = 0;
        long voluntary = 0;
        long involuntary = 0;
        Long peakPss = null;
        boolean stateTimes = false;
        Map<String, UsageSlice> latestOfUnit = new TreeMap<>();
        long start = Long.MAX_VALUE;
        long end = 0;
        Long ended = null;
        List<CostModel.Interval> intervals = new ArrayList<>();
        List<String> units = new ArrayList<>();
        List<io.taskmeter.core.usage.Intervals> allIntervals = new ArrayList<>();
        for (UsageSlice s : slices) {
            allIntervals.add(s.intervals());
            cpu += s.cpuSeconds();
            peak = Math.max(peak, s.peakRssBytes());
            read += s.readBytes();
            write += s.writeBytes();
            rchar += s.rchar();
            wchar += s.wchar();
            maxProcs = Math.max(maxProcs, s.maxProcesses());
            spawned += s.spawned();
            diskWaitSamples += s.samplesInDiskWait();
            runningMs += s.runningMs();
            sleepingMs += s.sleepingMs();
            diskWaitMs += s.diskWaitMs();
            voluntary += s.voluntarySwitches();
            involuntary += s.involuntarySwitches();
            stateTimes |= s.runningMs() + s.sleepingMs() + s.diskWaitMs() > 0;
            if (s.peakPssBytes() != null) {
                peakPss = peakPss == null ? s.peakPssBytes() : Math.max(peakPss, s.peakPssBytes());
            }
            latestOfUnit.merge(s.unitId(), s, (a, b) -> b.endMs() >= a.endMs() ? b : a);
            start = Math.min(start, Math.min(s.startedMs(), s.startMs()));
            end = Math.max(end, s.endMs());
            if (s.endedMs() != null) {
                ended = ended == null ? s.endedMs() : Math.max(ended, s.endedMs());
            }
            for (int i = 0; i < s.intervals().c().length; i++) {
                intervals.add(new CostModel.Interval(s.intervals().s()[i], s.intervals().c()[i], s.intervals().m()[i]));
            }
            if (!units.contains(s.unitId())) {
                units.add(s.unitId());
            }
        }
        // The attempt's distribution of cores per interval, in a mergeable sketch: slices of one attempt (its batches,
        // its units) combine in any order, and a later per-slice store can keep sketches instead of interval arrays.
        QuantileSketch cores = QuantileSketch.onePercent();
        for (CostModel.Interval iv : intervals) {
            if (Double.isFinite(iv.cores())) {
                cores.add(Math.max(0, iv.cores()));
            }
        }
        double seconds = intervals.stream().mapToDouble(CostModel.Interval::seconds).sum();
        UsageSlice first = slices.get(0);
        OptionalDouble reqCpu = Quantities.cpus(m.get("cpu_request"));
        OptionalLong reqMem = Quantities.bytes(m.get("memory_request"));
        boolean requested = reqCpu.isPresent() || reqMem.isPresent();
        AttemptSummary.Allocation alloc = new AttemptSummary.Allocation(
                reqCpu.orElse(first.hostCpus()), reqMem.orElse(first.hostMemoryBytes()),
                !requested ? "host share" : m.containsKey("request_source")
                        ? "orchestrator request (" + m.get("request_source") + ")" : "request");
        AttemptCost cost = CostModel.cost(intervals, alloc.cpus(), alloc.memoryBytes(), p);
        List<StallDetector.Point> points = StallDetector.points(allIntervals);
        long endMs = ended != null ? ended : end;
        AttemptSummary.Usage usage = new AttemptSummary.Usage(round(cpu, 3), peak, read, write, rchar, wchar,
                seconds > 0 ? round(cpu / seconds, 3) : 0, round(cores.count() == 0 ? 0 : cores.quantile(0.95), 3),
                maxProcs, spawned, intervals.isEmpty() ? 0 : round(diskWaitSamples / (double) intervals.size(), 3),
                round(runningMs / 1000.0, 3), round(sleepingMs / 1000.0, 3), round(diskWaitMs / 1000.0, 3),
                voluntary, involuntary, peakPss, topProcesses(latestOfUnit.values()));
        String orchestrator = m.getOrDefault("orchestrator", first.kind());
        String task = m.get("task");
        String group = m.get("dag_or_flow");
        if (task == null) {
            // Known only by its Airflow 3 TaskInstance id until a child or the metadata names it.
            task = "TaskInstance " + m.getOrDefault("ti_id", r.attemptId());
        }
        return new AttemptSummary(r.attemptId(), AttemptIdentity.taskId(orchestrator, group, task), orchestrator,
                group, task, m.get("run"), m.get("try_number"), (int) parse(m.get("map_index"), -1),
                m.getOrDefault("host_id", first.hostId()), m.getOrDefault("how", first.how()),
                parse(m.get("confidence"), 0.5), ended != null ? "finished" : "running", iso(start),
                ended != null ? iso(endMs) : null, round((endMs - start) / 1000.0, 3), m.get("command"), usage, alloc,
                cost, units, Diagnoser.diagnose(points, peak, alloc.memoryBytes(), spawned,
                new Diagnoser.Detail(stateTimes ? diskWaitMs / 1000.0 : null, allIntervals, usage.topProcesses())),
                timeline(allIntervals), TaskRuns.info(facts, m.get("request_source")));
    }

    /** Each unit's list is cumulative (its latest slice says all); units of one attempt merge by command. */
    static List<TopProcess> topProcesses(java.util.Collection<UsageSlice> latestOfEachUnit) {
        Map<String, long[]> byCommand = new TreeMap<>();
        for (UsageSlice s : latestOfEachUnit) {
            for (TopProcess p : s.topProcesses()) {
                long[] v = byCommand.computeIfAbsent(p.command(), k -> new long[2]);
                v[0] += p.cpuMillis();
                v[1] += p.processes();
            }
        }
        List<TopProcess> out = new ArrayList<>();
        byCommand.forEach((c, v) -> out.add(new TopProcess(c, v[0], (int) v[1])));
        out.sort(Comparator.comparingLong(TopProcess::cpuMillis).reversed());
        return List.copyOf(out.subList(0, Math.min(UnitSeries.MAX_TOP_PROCESSES, out.size())));
    }

    private static Timeline timeline(List<io.taskmeter.core.usage.Intervals> slices) {
        // Points and memory sorted together by time, as StallDetector.points sorts points.
        List<long[]> byTime = new ArrayList<>();
        for (io.taskmeter.core.usage.Intervals iv : slices) {
            for (int i = 0; i < iv.size(); i++) {
                byTime.add(new long[] {iv.t()[i], iv.m()[i]});
            }
        }
        byTime.sort(Comparator.comparingLong(a -> a[0]));
        List<Long> rss = new ArrayList<>();
        byTime.forEach(a -> rss.add(a[1]));
        return Timeline.of(StallDetector.points(slices), rss);
    }

    /** Cost per DAG, flow, task and run of the given attempts. */
    public static List<CostRollup> rollups(List<AttemptSummary> attempts) {
        Rollups r = new Rollups();
        attempts.forEach(r::add);
        return r.result();
    }

    /** Running sums per DAG, flow, task and run. */
    static final class Rollups {
        private final Map<String, double[]> sums = new TreeMap<>();

        void add(AttemptSummary a) {
            if (a.orchestratorMetadata() != null && a.orchestratorMetadata().partOf() != null) {
                return; // a task run's cost is part of its flow run's, counted there
            }
            String dag = "airflow".equals(a.orchestrator()) ? a.dagOrFlow() : null;
            String flow = "airflow".equals(a.orchestrator()) ? null : a.dagOrFlow();
            add("dag", dag, a);
            add("flow", flow, a);
            add("task", a.taskId(), a);
            add("run", a.run() == null ? null : a.orchestrator() + ":" + a.run(), a);
        }

        private void add(String groupBy, String key, AttemptSummary a) {
            if (key == null) {
                return;
            }
            double[] v = sums.computeIfAbsent(groupBy + "\n" + key, k -> new double[4]);
            v[0]++;
            v[1] += a.usage().cpuSeconds();
            v[2] += a.cost().allocatedUsd();
            v[3] += a.cost().usedUsd();
        }

        List<CostRollup> result() {
            List<CostRollup> out = new ArrayList<>();
            sums.forEach((k, v) -> {
                int sep = k.indexOf('\n');
                out.add(new CostRollup(k.substring(0, sep), k.substring(sep + 1), (int) v[0], round(v[1], 3),
                        round(v[2], 6), round(v[3], 6), round(v[2] - v[3], 6)));
            });
            return out;
        }
    }

    private static double parse(String s, double fallback) {
        try {
            return s == null ? fallback : Double.parseDouble(s);
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    static String iso(long ms) {
        return Instant.ofEpochMilli(ms).toString();
    }

    static double round(double v, int digits) {
        double f = Math.pow(10, digits);
        return Math.round(v * f) / f;
    }
}

package io.taskmeter.local;

import io.taskmeter.core.attribution.AttemptIdentity;
import io.taskmeter.core.batch.Batch;
import io.taskmeter.core.batch.HostInfo;
import io.taskmeter.core.batch.Sample;
import io.taskmeter.core.batch.UnitSeries;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A worker host as its shipper would report it, without the host: a fixed number of task slots, each running one
 * Airflow task (its process tree is one unit) after another, with 1 s samples cut into batches. It keeps the
 * ground truth the load test checks the API against: CPU-seconds per attempt.
 */
final class SimulatedHost {
    /** Most task trees wait (on a database, a sensor, an external job); a few are busy. */
    private record Profile(double cores, long rss, long ioPerSecond, int processes) {
    }

    private final class Slot {
        String unitId;
        Map<String, String> tags;
        Profile profile;
        long startedMs;
        long endsMs;
        Sample last;
        String attemptId;
        int pid;
    }

    private final String hostId;
    private final String bootId;
    private final long intervalMs;
    private final int samplesPerBatch;
    private final Random random;
    private final List<Slot> slots = new ArrayList<>();
    private final Map<String, Double> cpuSecondsByAttempt;
    private final HostInfo shape = new HostInfo(8, 32L << 30, "m5.2xlarge", "config", "Linux 6.8");
    private long seq;
    private int started;

    /**
     * @param firstBatchStartMs where this host's first batch starts (hosts are spread over the interval)
     * @param truth             CPU-seconds per attempt id, filled as batches are made (shared by all hosts)
     */
    SimulatedHost(int index, int units, long intervalMs, long batchMs, long firstBatchStartMs, long seed,
                  Map<String, Double> truth) {
        this.hostId = "load-" + index;
        this.bootId = "b" + Long.toHexString(0x100000L + index);
        this.intervalMs = intervalMs;
        this.samplesPerBatch = (int) (batchMs / intervalMs);
        this.random = new Random(seed * 1_000_003L + index);
        this.cpuSecondsByAttempt = truth;
        this.nextStartMs = firstBatchStartMs;
        for (int u = 0; u < units; u++) {
            Slot slot = new Slot();
            // Stagger the first tasks so that attempts do not all end in the same batch.
            start(slot, firstBatchStartMs - random.nextInt(10 * 60) * 1000L);
            slots.add(slot);
        }
    }

    private long nextStartMs;

    String hostId() {
        return hostId;
    }

    /** When the batch being sampled now ends, i.e. its last sample's time. */
    long nextEndMs() {
        return nextStartMs + (long) samplesPerBatch * intervalMs;
    }

    /** The next batch: every slot's samples over the batch interval; a task that ends is replaced by a new one. */
    Batch nextBatch() {
        long start = nextStartMs;
        long end = nextEndMs();
        List<UnitSeries> units = new ArrayList<>();
        for (Slot slot : slots) {
            if (slot.endsMs <= start) {
                start(slot, start);
            }
            Profile p = slot.profile;
            Sample base = slot.last;
            List<Sample> list = new ArrayList<>(samplesPerBatch);
            Sample prev = base;
            for (int i = 1; i <= samplesPerBatch; i++) {
                long t = start + i * intervalMs;
                if (t > slot.endsMs) {
                    break;
                }
                long cpu = prev.cpuMillis() + Math.round(p.cores() * (0.5 + random.nextDouble()) * intervalMs);
                long io = random.nextInt(3) == 0 ? 0 : p.ioPerSecond() * intervalMs / 1000;
                long rss = p.rss() + random.nextInt(1 << 20);
                prev = new Sample(t, cpu, rss, Math.max(rss, prev.hwmBytes()), prev.readBytes() + io / 8,
                        prev.writeBytes() + io / 4, prev.rchar() + io, prev.wchar() + io / 2, p.processes(),
                        Math.max(prev.spawned(), p.processes()), p.cores() > 0.1 ? 1 : 0, 0);
                list.add(prev);
            }
            if (list.isEmpty()) {
                continue;
            }
            cpuSecondsByAttempt.merge(slot.attemptId, (prev.cpuMillis() - base.cpuMillis()) / 1000.0, Double::sum);
            slot.last = prev;
            boolean ended = prev.t() >= slot.endsMs;
            units.add(new UnitSeries(slot.unitId, rootPid(slot), slot.startedMs / 10, slot.startedMs,
                    ended ? prev.t() : null, "airflow", "title+env", slot.tags,
                    "airflow task runner: " + slot.tags.get("dag_id") + " " + slot.tags.get("task_id"), base,
                    list, false));
        }
        seq++;
        nextStartMs = end;
        return new Batch(Batch.FORMAT, Batch.VERSION, hostId, bootId, "0.1.0-load", seq, start, end, intervalMs,
                shape, 0, units);
    }

    private void start(Slot slot, long at) {
        started++;
        double kind = random.nextDouble();
        double cores = kind < 0.7 ? random.nextDouble() * 0.02 : kind < 0.9 ? 0.2 + random.nextDouble() * 0.6
                : 1 + random.nextDouble() * 2.5;
        slot.profile = new Profile(cores, (50L + random.nextInt(4000)) << 20,
                random.nextInt(5) == 0 ? 4_000_000 : 20_000, 1 + random.nextInt(40));
        slot.startedMs = at;
        slot.pid = 1000 + started;
        // Tasks of 3 to 30 minutes.
        slot.endsMs = at + (3 + random.nextInt(28)) * 60_000L;
        slot.unitId = bootId + "/" + rootPid(slot) + "/" + (at / 10);
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put("dag_id", "dag_" + random.nextInt(30));
        tags.put("task_id", "task_" + random.nextInt(12));
        tags.put("run_id", "scheduled__" + hostId + "__" + started);
        tags.put("try_number", "1");
        tags.put("job_id", hostId.substring(5) + "0" + started);
        slot.tags = tags;
        slot.last = Sample.zeroAt(at);
        slot.attemptId = AttemptIdentity.of("airflow", "title+env", tags, slot.unitId).attemptId();
    }

    private static int rootPid(Slot slot) {
        return slot.pid;
    }
}

package io.taskmeter.aws;

import io.taskmeter.core.batch.Batch;
import io.taskmeter.core.batch.HostInfo;
import io.taskmeter.core.batch.Sample;
import io.taskmeter.core.batch.UnitSeries;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Realistic batches built in code, so function tests need no shipper. */
public final class TestBatches {
    public static final long T0 = 1_763_800_000_000L;

    private TestBatches() {
    }

    /**
     * A batch of a running Airflow task (try {@code tryNumber}, dag "etl", task "stuck") that does nothing for
     * {@code seconds} one-second samples — or, when {@code busy}, reads and writes a little each second.
     */
    public static Batch idle(String host, long seq, int seconds, boolean busy, String tryNumber) {
        long start = T0 + (seq - 1) * seconds * 1000L;
        long cpu = (seq - 1) * (busy ? 500L : 0L);
        long io = (seq - 1) * (busy ? 4096L : 0L) * seconds;
        Sample base = new Sample(start, cpu, 50 << 20, 50 << 20, io, io, io, io, 1, 1, 0, 0);
        List<Sample> samples = new ArrayList<>();
        for (int i = 1; i <= seconds; i++) {
            long step = busy ? 4096L * i : 0;
            samples.add(new Sample(start + i * 1000L, cpu + (busy ? 500L * i / seconds : 0), 50 << 20, 50 << 20,
                    io + step, io + step, io + step, io + step, 1, 1, busy ? 1 : 0, 0));
        }
        UnitSeries unit = new UnitSeries("boot-1/5151/7777", 5151, 7777, T0 - 100, null, "airflow", "title+env",
                Map.of("dag_id", "etl", "task_id", "stuck", "run_id", "manual__2", "try_number", tryNumber,
                        "job_id", "9" + tryNumber), "airflow task runner: etl stuck manual__2 9", base, samples, false);
        return new Batch(Batch.FORMAT, Batch.VERSION, host, "boot-1", "0.1.0-test", seq, start,
                start + seconds * 1000L, 1000, new HostInfo(2, 8L << 30, "m5.large", "config", "Linux"), 0,
                List.of(unit));
    }

    /**
     * A batch of one Airflow task that burns {@code cores} for {@code seconds} one-second samples, starting at
     * {@code base} cumulative CPU.
     */
    public static Batch airflow(String host, long seq, int seconds, double cores, long baseCpuMs, String tryNumber) {
        long start = T0 + (seq - 1) * seconds * 1000L;
        Sample base = new Sample(start, baseCpuMs, 100 << 20, 100 << 20, 0, 0, 0, 0, 2, 2, 1, 0);
        List<Sample> samples = new ArrayList<>();
        for (int i = 1; i <= seconds; i++) {
            samples.add(new Sample(start + i * 1000L, baseCpuMs + Math.round(i * cores * 1000), (100 + i) << 20,
                    (100 + i) << 20, 4096L * i, 1_000_000L * i, 8192L * i, 1_000_000L * i, 2, 2, 1, 0));
        }
        UnitSeries unit = new UnitSeries("boot-1/4242/9999", 4242, 9999, T0 - 100, null, "airflow", "title+env",
                Map.of("dag_id", "etl", "task_id", "extract", "run_id", "manual__1", "try_number", tryNumber,
                        "job_id", "7" + tryNumber),
                "airflow task runner: etl extract manual__1 77", base, samples, false);
        return new Batch(Batch.FORMAT, Batch.VERSION, host, "boot-1", "0.1.0-test", seq, start,
                start + seconds * 1000L, 1000, new HostInfo(2, 8L << 30, "m5.large", "config", "Linux"), 0,
                List.of(unit));
    }
}

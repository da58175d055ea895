package io.taskmeter.bench.pipeline;

import io.taskmeter.core.attribution.AttemptIdentity;
import io.taskmeter.core.batch.Batch;
import io.taskmeter.core.batch.BatchCodec;
import io.taskmeter.core.batch.BatchFormatException;
import io.taskmeter.core.batch.BatchKey;
import io.taskmeter.core.batch.HostInfo;
import io.taskmeter.core.batch.Sample;
import io.taskmeter.core.batch.UnitSeries;
import io.taskmeter.core.usage.Intervals;
import io.taskmeter.core.usage.UsageSlice;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

/**
 * Decode + attribute throughput on one thread against DuckDB doing the same aggregation in SQL on the same files,
 * in the same JVM and the same run.
 *
 * <p>Batches are what a shipper uploads: per host ~20 execution units (task trees) covering 500 processes, most of
 * them idle, 60 one-second samples per unit, one batch a minute. Both sides read every .json.gz file from disk,
 * compute per-interval CPU from the cumulative counters (each unit's base for the first interval) and sum CPU
 * per unit and minute. The Java side also does what attribute does per unit-batch: {@link UsageSlice#of} (every
 * counter, the per-interval arrays) and the attempt identity hash. The two results are checked to agree.
 *
 * <p>Usage: {@code java -jar taskmeter-bench-pipeline.jar [hosts] [batches per host] [rounds] [dir]}
 */
public final class PipelineThroughputBench {
    static final int PROCESSES_PER_HOST = 500;
    static final int UNITS_PER_HOST = 20;
    static final int SAMPLES_PER_BATCH = 60;
    static final long T0 = 1_763_800_000_000L;

    public static void main(String[] args) throws Exception {
        int hosts = args.length > 0 ? Integer.parseInt(args[0]) : 50;
        int batchesPerHost = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        Path dir = args.length > 3 ? Path.of(args[3]) : Files.createTempDirectory("taskmeter-bench-pipeline");

        long samples = generate(dir, hosts, batchesPerHost);
        long bytes;
        try (Stream<Path> files = Files.list(dir)) {
            bytes = files.mapToLong(p -> p.toFile().length()).sum();
        }
        List<Path> files = files(dir);
        System.out.printf("%d batches (%d hosts x %d), %d unit-samples, %.1f MiB gzip, in %s%n", files.size(), hosts,
                batchesPerHost, samples, bytes / 1048576.0, dir);
        System.out.printf("java %s, %s, %d cpus%n", System.getProperty("java.version"),
                System.getProperty("os.name") + " " + System.getProperty("os.arch"),
                Runtime.getRuntime().availableProcessors());

        try (Connection duck = DriverManager.getConnection("jdbc:duckdb:")) {
            String version;
            try (Statement st = duck.createStatement(); ResultSet rs = st.executeQuery("SELECT version()")) {
                rs.next();
                version = rs.getString(1);
            }
            System.out.println("duckdb " + version);
            Map<String, double[]> check = null;
            double[] javaRates = new double[rounds];
            double[] duck1Rates = new double[rounds];
            double[] duckNRates = new double[rounds];
            for (int round = -2; round < rounds; round++) { // two warm-up rounds
                long t0 = System.nanoTime();
                Map<String, double[]> j = javaSide(files);
                long t1 = System.nanoTime();
                Map<String, Double> d1 = duckSide(duck, dir, 1);
                long t2 = System.nanoTime();
                Map<String, Double> dn = duckSide(duck, dir, Runtime.getRuntime().availableProcessors());
                long t3 = System.nanoTime();
                if (round < 0) {
                    check = j;
                    agree(j, d1);
                    agree(j, dn);
                    System.out.printf("warm-up %d: java %.0f ms, duckdb (1 thread) %.0f ms, duckdb (all) %.0f ms%n",
                            round + 3, (t1 - t0) / 1e6, (t2 - t1) / 1e6, (t3 - t2) / 1e6);
                    continue;
                }
                javaRates[round] = samples / ((t1 - t0) / 1e9);
                duck1Rates[round] = samples / ((t2 - t1) / 1e9);
                duckNRates[round] = samples / ((t3 - t2) / 1e9);
                System.out.printf("round %d: java %.0f ms (%.2fM samples/s), duckdb 1 thread %.0f ms (%.2fM/s), "
                                + "duckdb all threads %.0f ms (%.2fM/s)%n", round + 1, (t1 - t0) / 1e6,
                        javaRates[round] / 1e6, (t2 - t1) / 1e6, duck1Rates[round] / 1e6, (t3 - t2) / 1e6,
                        duckNRates[round] / 1e6);
            }
            double java = median(javaRates);
            double d1 = median(duck1Rates);
            double dn = median(duckNRates);
            System.out.printf("%nmedian unit-samples/s: java (one thread) %,.0f; duckdb (1 thread) %,.0f; duckdb "
                    + "(%d threads) %,.0f%nratio java / duckdb: %.2fx (1 thread), %.2fx (all threads); groups %d%n",
                    java, d1, Runtime.getRuntime().availableProcessors(), dn, java / d1, java / dn, check.size());
            javaBreakdown(files, samples);
        }
    }

    /** What one thread of ingest + attribute does with each file, up to the per unit-minute CPU sums. */
    static Map<String, double[]> javaSide(List<Path> files) throws IOException, BatchFormatException {
        Map<String, double[]> cpu = new HashMap<>();
        long attempts = 0;
        for (Path f : files) {
            Batch batch = BatchCodec.decode(Files.readAllBytes(f));
            for (UnitSeries unit : batch.units()) {
                UsageSlice slice = UsageSlice.of(batch, unit);
                AttemptIdentity id = AttemptIdentity.of(slice.kind(), slice.how(), slice.tags(), slice.unitId());
                attempts += id.attemptId().length();
                Intervals iv = slice.intervals();
                for (int i = 0; i < iv.size(); i++) {
                    long minute = iv.t()[i] / 60_000;
                    cpu.computeIfAbsent(slice.unitId() + "|" + minute, k -> new double[1])[0] += iv.c()[i] * iv.s()[i];
                }
            }
        }
        if (attempts == 0) {
            throw new IllegalStateException("no attempts");
        }
        return cpu;
    }

    /** Where the Java side's time goes: gunzip + JSON to a Batch, the rest. */
    static void javaBreakdown(List<Path> files, long samples) throws Exception {
        long read = 0;
        long decode = 0;
        long rest = 0;
        for (int round = 0; round < 3; round++) {
            for (Path f : files) {
                long t0 = System.nanoTime();
                byte[] bytes = Files.readAllBytes(f);
                long t1 = System.nanoTime();
                Batch batch = BatchCodec.decode(bytes);
                long t2 = System.nanoTime();
                for (UnitSeries unit : batch.units()) {
                    UsageSlice slice = UsageSlice.of(batch, unit);
                    AttemptIdentity.of(slice.kind(), slice.how(), slice.tags(), slice.unitId()).attemptId();
                }
                long t3 = System.nanoTime();
                read += t1 - t0;
                decode += t2 - t1;
                rest += t3 - t2;
            }
        }
        long gunzip = 0;
        for (int round = 0; round < 3; round++) {
            for (Path f : files) {
                byte[] bytes = Files.readAllBytes(f);
                long t0 = System.nanoTime();
                try (var in = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(bytes), 65536)) {
                    in.readAllBytes();
                }
                gunzip += System.nanoTime() - t0;
            }
        }
        double total = read + decode + rest;
        System.out.printf("java time: file read %.0f%%, BatchCodec.decode %.0f%% (of which gunzip alone %.0f%%), "
                        + "UsageSlice + attempt id %.0f%%%n", 100 * read / total, 100 * decode / total,
                100 * gunzip / total, 100 * rest / total);
    }

    /** The same aggregation in SQL: read_json over the gzip files, deltas by window, GROUP BY unit and minute. */
    static Map<String, Double> duckSide(Connection duck, Path dir, int threads) throws Exception {
        Map<String, Double> out = new HashMap<>();
        try (Statement st = duck.createStatement()) {
            st.execute("SET threads = " + threads);
            String sql = """
                    WITH b AS (
                      SELECT filename, unnest(units) AS u
                      FROM read_json('%s/*.json.gz', compression = 'gzip', format = 'auto', filename = true,
                                     maximum_object_size = 67108864,
                                     columns = {units: 'STRUCT(unit_id VARCHAR, base STRUCT(t BIGINT, cpu_millis BIGINT),
                                                samples STRUCT(t BIGINT, cpu_millis BIGINT)[])[]'})
                    ), s AS (
                      SELECT filename, u.unit_id AS unit_id, u.base.cpu_millis AS base_cpu, u.base.t AS base_t,
                             unnest(u.samples) AS x
                      FROM b
                    ), d AS (
                      SELECT unit_id, x.t AS t,
                             (x.cpu_millis - coalesce(lag(x.cpu_millis) OVER w, base_cpu)) / 1000.0 AS cpu_s
                      FROM s
                      WINDOW w AS (PARTITION BY filename, unit_id ORDER BY x.t)
                    )
                    SELECT unit_id, t // 60000 AS minute, sum(cpu_s) AS cpu_s FROM d GROUP BY unit_id, minute
                    """.formatted(dir.toAbsolutePath());
            try (ResultSet rs = st.executeQuery(sql)) {
                while (rs.next()) {
                    out.put(rs.getString(1) + "|" + rs.getLong(2), rs.getDouble(3));
                }
            }
        }
        return out;
    }

    static void agree(Map<String, double[]> java, Map<String, Double> duck) {
        if (java.size() != duck.size()) {
            throw new IllegalStateException("java has " + java.size() + " unit-minutes, duckdb " + duck.size());
        }
        for (Map.Entry<String, double[]> e : java.entrySet()) {
            Double d = duck.get(e.getKey());
            if (d == null || Math.abs(d - e.getValue()[0]) > 1e-6 * Math.max(1, Math.abs(d))) {
                throw new IllegalStateException(e.getKey() + ": java " + e.getValue()[0] + ", duckdb " + d);
            }
        }
    }

    static double median(double[] v) {
        double[] c = v.clone();
        Arrays.sort(c);
        return c[c.length / 2];
    }

    static List<Path> files(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".json.gz")).sorted().toList();
        }
    }

    // ---- realistic batches -------------------------------------------------------------------------------------

    /** A unit's behaviour: cores it burns, memory, I/O per second, processes in its tree. */
    private record Profile(double cores, long rss, long ioPerSecond, int processes) {
    }

    /** Writes every batch as the shipper would name it (flattened into one directory); returns unit-samples. */
    static long generate(Path dir, int hosts, int batchesPerHost) throws IOException {
        Files.createDirectories(dir);
        Random r = new Random(42);
        long samples = 0;
        for (int h = 0; h < hosts; h++) {
            String host = "worker-" + h;
            String boot = "b" + Integer.toHexString(0x10000 + h);
            List<String> ids = new ArrayList<>();
            List<Map<String, String>> tags = new ArrayList<>();
            List<String> kinds = new ArrayList<>();
            List<Profile> profiles = new ArrayList<>();
            int left = PROCESSES_PER_HOST;
            for (int u = 0; u < UNITS_PER_HOST; u++) {
                int pid = 1000 + u * 37 + h;
                ids.add(boot + "/" + pid + "/" + (pid * 131L));
                double kind = r.nextDouble();
                // Most trees idle (waiting on a database, a sensor, an external job); a few busy.
                double cores = kind < 0.7 ? r.nextDouble() * 0.02 : kind < 0.9 ? 0.2 + r.nextDouble() * 0.6
                        : 1 + r.nextDouble() * 2.5;
                int procs = u == UNITS_PER_HOST - 1 ? Math.max(1, left) : 1 + r.nextInt(2 * left / (UNITS_PER_HOST - u));
                left -= procs;
                profiles.add(new Profile(cores, (50L + r.nextInt(4000)) << 20, r.nextInt(5) == 0 ? 4_000_000 : 20_000,
                        procs));
                Map<String, String> t = new LinkedHashMap<>();
                if (r.nextInt(4) == 0) {
                    kinds.add("prefect");
                    t.put("flow_run_id", java.util.UUID.nameUUIDFromBytes((host + u).getBytes()).toString());
                    t.put("flow_name", "flow-" + r.nextInt(10));
                } else {
                    kinds.add("airflow");
                    t.put("dag_id", "dag_" + r.nextInt(30));
                    t.put("task_id", "task_" + r.nextInt(12));
                    t.put("run_id", "scheduled__2025-11-22T00:00:00+00:00");
                    t.put("try_number", Integer.toString(1 + r.nextInt(2)));
                    t.put("job_id", Integer.toString(100_000 + h * 100 + u));
                }
                tags.add(t);
            }
            HostInfo shape = new HostInfo(8, 32L << 30, "m5.2xlarge", "config", "Linux 6.8");
            Map<String, Sample> last = new HashMap<>();
            for (int seq = 1; seq <= batchesPerHost; seq++) {
                long start = T0 + (seq - 1) * SAMPLES_PER_BATCH * 1000L;
                List<UnitSeries> units = new ArrayList<>();
                for (int u = 0; u < UNITS_PER_HOST; u++) {
                    Profile p = profiles.get(u);
                    Sample prev = last.getOrDefault(ids.get(u), Sample.zeroAt(start));
                    Sample base = prev;
                    List<Sample> list = new ArrayList<>(SAMPLES_PER_BATCH);
                    for (int i = 1; i <= SAMPLES_PER_BATCH; i++) {
                        long cpu = prev.cpuMillis() + Math.round(p.cores() * (0.5 + r.nextDouble()) * 1000);
                        long io = r.nextInt(3) == 0 ? 0 : p.ioPerSecond();
                        long rss = p.rss() + r.nextInt(1 << 20);
                        prev = new Sample(start + i * 1000L, cpu, rss, Math.max(rss, prev.hwmBytes()),
                                prev.readBytes() + io / 8, prev.writeBytes() + io / 4, prev.rchar() + io,
                                prev.wchar() + io / 2, p.processes(), Math.max(prev.spawned(), p.processes())
                                + (r.nextInt(30) == 0 ? 1 : 0), p.cores() > 0.1 ? 1 : 0, 0);
                        list.add(prev);
                    }
                    last.put(ids.get(u), prev);
                    units.add(new UnitSeries(ids.get(u), 1000 + u, 131L * (1000 + u), T0 - 60_000, null, kinds.get(u),
                            "title+env", tags.get(u), kinds.get(u).equals("airflow") ? "airflow task runner: "
                            + tags.get(u).get("dag_id") + " " + tags.get(u).get("task_id") : "python -m prefect.engine",
                            base, list, false));
                    samples += list.size();
                }
                Batch batch = new Batch(Batch.FORMAT, Batch.VERSION, host, boot, "0.1.0", seq, start,
                        start + SAMPLES_PER_BATCH * 1000L, 1000, shape, 0, units);
                String name = BatchKey.of("", batch).key().replace('/', '_');
                Files.write(dir.resolve(name), BatchCodec.encode(batch));
            }
        }
        return samples;
    }
}

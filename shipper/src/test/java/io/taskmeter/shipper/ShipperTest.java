package io.taskmeter.shipper;

import io.taskmeter.core.batch.Batch;
import io.taskmeter.core.batch.BatchCodec;
import io.taskmeter.core.batch.UnitSeries;
import io.taskmeter.core.usage.UnitUsage;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The shipper against real child processes; ground truth from the kernel. */
class ShipperTest {
    static final Path WORK = Path.of("target", "shipper-test").toAbsolutePath();

    @Test
    void accountsForATreeWithShortLivedChildrenBytesAndMemoryAndLeaksNoSecret() throws Exception {
        Path dir = Files.createDirectories(WORK.resolve(UUID.randomUUID().toString()));
        Path out = dir.resolve("sink");
        String envSecret = "envsecret-" + UUID.randomUUID();
        String argSecret = "argsecret-" + UUID.randomUUID();
        String urlSecret = "urlsecret-" + UUID.randomUUID();
        long childTicksBefore = ownChildTicks();
        long truthHwm;
        try (Shipper shipper = Shipper.start(config(dir, out), key -> { })) {
            // 30 subshells that each live far less than a 200 ms interval, 40 MiB written and fsynced,
            // a ~100 MB string held by the root, then a pause so the final counters are sampled.
            String script = "for n in $(seq 30); do ( i=0; while [ $i -lt 6000 ]; do i=$((i+1)); done ); done; "
                    + "dd if=/dev/zero of='" + dir.resolve("written") + "' bs=1M count=40 conv=fsync 2>/dev/null; "
                    + "x=$(head -c 100000000 /dev/zero | tr '\\0' a); sleep 1; x=; sleep 1 # --password=" + argSecret
                    + " https://etl:" + urlSecret + "@db.example";
            ProcessBuilder pb = new ProcessBuilder("bash", "-c", script);
            pb.environment().put("TASKMETER_TASK", "accuracy");
            pb.environment().put("TASKMETER_RUN", "run-1");
            pb.environment().put("DB_PASSWORD", envSecret);
            pb.environment().put("AWS_SECRET_ACCESS_KEY", envSecret);
            Process p = pb.inheritIO().start();
            truthHwm = watchPeakRss(p);
            assertEquals(0, p.waitFor());
            Thread.sleep(600);
        }
        double truthCpu = (ownChildTicks() - childTicksBefore) / 100.0;

        List<UnitSeries> units = new ArrayList<>();
        List<String> raw = new ArrayList<>();
        for (Batch b : batches(out, raw)) {
            b.units().stream().filter(u -> "accuracy".equals(u.tags().get("task"))).forEach(units::add);
        }
        assertFalse(units.isEmpty(), "the task was recognised from TASKMETER_TASK");
        assertEquals(1, units.stream().map(UnitSeries::unitId).distinct().count(), "one unit for the whole tree");
        double cpu = 0;
        long written = 0;
        long wchar = 0;
        long peak = 0;
        for (UnitSeries u : units) {
            UnitUsage usage = UnitUsage.of(u);
            cpu += usage.cpuSeconds();
            written += usage.writeBytes();
            wchar += usage.wchar();
            peak = Math.max(peak, usage.peakRssBytes());
        }
        System.out.printf("ground truth cpu %.2fs peak %d; shipper cpu %.2fs peak %d written %d wchar %d%n",
                truthCpu, truthHwm, cpu, peak, written, wchar);
        assertTrue(truthCpu > 0.5, "the workload burnt CPU: " + truthCpu);
        assertEquals(truthCpu, cpu, truthCpu * 0.10, "CPU of the whole tree, short-lived children included");
        assertEquals(truthHwm, peak, truthHwm * 0.10, "peak memory");
        long forty = 40L << 20;
        assertTrue(wchar >= forty, "wchar " + wchar);
        if (onBlockDevice(dir)) {
            assertEquals(forty, written, forty * 0.05, "block-layer bytes written");
        }
        for (String json : raw) {
            for (String secret : List.of(envSecret, argSecret, urlSecret)) {
                assertFalse(json.contains(secret), "a secret left the host: " + secret);
            }
        }
        try (Stream<Path> files = Files.walk(dir.resolve("spool"))) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                String content = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
                assertFalse(content.contains(envSecret) || content.contains(argSecret));
            }
        }
    }

    @Test
    void airflowRunnerTitleAndChildEnvAreOneAttributedUnit() throws Exception {
        Path dir = Files.createDirectories(WORK.resolve(UUID.randomUUID().toString()));
        Path out = dir.resolve("sink");
        try (Shipper shipper = Shipper.start(config(dir, out), key -> { })) {
            Process p = new ProcessBuilder("bash", "-c", "exec -a 'airflow task runner: dag1 task1 run1 42' bash -c "
                    + "'sleep 1; AIRFLOW_CTX_DAG_ID=dag1 AIRFLOW_CTX_TASK_ID=task1 AIRFLOW_CTX_DAG_RUN_ID=run1 "
                    + "AIRFLOW_CTX_TRY_NUMBER=3 sleep 1; sleep 0.5'").inheritIO().start();
            assertEquals(0, p.waitFor());
            Thread.sleep(500);
        }
        List<UnitSeries> units = new ArrayList<>();
        for (Batch b : batches(out, new ArrayList<>())) {
            b.units().stream().filter(u -> "dag1".equals(u.tags().get("dag_id"))).forEach(units::add);
        }
        assertFalse(units.isEmpty());
        assertEquals(1, units.stream().map(UnitSeries::unitId).distinct().count());
        UnitSeries last = units.get(units.size() - 1);
        assertEquals("airflow", last.kind());
        assertEquals("3", last.tags().get("try_number"), "try number from the child's AIRFLOW_CTX_* env");
        assertEquals("42", last.tags().get("job_id"));
        assertEquals("title+env", last.how());
        assertTrue(last.endedMs() != null, "the unit's end is reported");
    }

    @Test
    void helpNamesEveryOptionAndBadOptionsAreRejected() {
        for (String option : List.of("--sink", "--s3-endpoint", "--interval", "--batch-seconds", "--host-id",
                "--spool-dir", "--max-spool-mb", "--instance-type", "--redact", "--once")) {
            assertTrue(Main.HELP.contains(option), option);
        }
        assertTrue(assertThrowsIae(() -> Main.parse(new String[] {"--frobnicate"}, java.util.Map.of()))
                .contains("unknown option"));
        assertTrue(assertThrowsIae(() -> Main.parse(new String[] {}, java.util.Map.of())).contains("no sink"));
        assertEquals(Duration.ofMillis(500), Main.parse(new String[] {"--sink", "file:///tmp/x", "--interval", "500ms"},
                java.util.Map.of("TASKMETER_INTERVAL", "5s")).config().interval(), "flags win over the environment");
    }

    private static String assertThrowsIae(Runnable r) {
        try {
            r.run();
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
        throw new AssertionError("expected IllegalArgumentException");
    }

    static ShipperConfig config(Path dir, Path out) {
        return new ShipperConfig(Duration.ofMillis(200), Duration.ofSeconds(1), URI.create("file://" + out), null,
                "us-east-1", "test-host", dir.resolve("spool"), 64L << 20, "m5.large", List.of());
    }

    static List<Batch> batches(Path out, List<String> raw) throws Exception {
        List<Batch> batches = new ArrayList<>();
        try (Stream<Path> files = Files.walk(out)) {
            for (Path f : files.filter(x -> x.toString().endsWith(".json.gz")).sorted().toList()) {
                byte[] bytes = Files.readAllBytes(f);
                try (GZIPInputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(bytes))) {
                    raw.add(new String(in.readAllBytes(), StandardCharsets.UTF_8));
                }
                batches.add(BatchCodec.decode(bytes));
            }
        }
        batches.sort((a, b) -> Long.compare(a.seq(), b.seq()));
        return batches;
    }

    /** Children's CPU folds into this JVM's cutime+cstime once they are reaped: the kernel's own count. */
    static long ownChildTicks() throws IOException {
        String s = Files.readString(Path.of("/proc/self/stat"));
        String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[13]) + Long.parseLong(f[14]);
    }

    static long watchPeakRss(Process p) throws Exception {
        long peak = 0;
        while (p.isAlive()) {
            try {
                for (String line : Files.readAllLines(Path.of("/proc/" + p.pid() + "/status"))) {
                    if (line.startsWith("VmHWM:")) {
                        peak = Math.max(peak, Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024);
                    }
                }
            } catch (IOException e) {
                break;
            }
            Thread.sleep(20);
        }
        return peak;
    }

    static boolean onBlockDevice(Path dir) throws IOException {
        String type = Files.getFileStore(dir).type();
        return !type.equals("tmpfs") && !type.equals("overlay") && !type.equals("fuse");
    }
}

package io.taskmeter.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * End to end: a real process tree, the shipper, S3Proxy, the ingest and attribute handlers, DynamoDB Local, the
 * insights job and the API, down to the report's JSON; checked against what the kernel says the tree used.
 */
class LocalRunTest {

    @Test
    void runReportsTheWholeTreeWithinToleranceAndReturnsItsExitCode() throws Exception {
        Path work = Files.createDirectories(Path.of("target", "local-run-test").toAbsolutePath());
        Path data = Files.createTempDirectory(work, "data");
        Path written = work.resolve("written.bin");
        Path hwm = work.resolve("hwm.txt");
        // Short-lived subshells, 32 MiB written and fsynced, ~150 MB held by the script's own bash, whose
        // VmHWM it then reports itself, and a non-zero exit code.
        String script = "for n in $(seq 20); do ( i=0; while [ $i -lt 5000 ]; do i=$((i+1)); done ); done; "
                + "dd if=/dev/zero of='" + written + "' bs=1M count=32 conv=fsync 2>/dev/null; "
                + "x=$(yes aaaaaaaaaaaaaaa | head -c 150000000); sleep 0.6; "
                + "grep VmHWM /proc/$$/status > '" + hwm + "'; exit 3";
        long ticksBefore = ownChildTicks();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = LocalMain.run(new String[] {"run", "--json", "--task", "e2e", "--data-dir", data.toString(),
                "--interval", "200ms", "--batch-seconds", "1", "--", "bash", "-c", script},
                new PrintStream(out, true, StandardCharsets.UTF_8));
        double truthCpu = (ownChildTicks() - ticksBefore) / 100.0;
        long truthHwm = Long.parseLong(Files.readString(hwm).replaceAll("[^0-9]", "")) * 1024;

        assertEquals(3, code, "run returns the command's exit code");
        JsonNode report = new ObjectMapper().readTree(out.toString(StandardCharsets.UTF_8));
        // The shipper sees the whole machine: tasks other processes run here meanwhile are in the report too.
        List<JsonNode> mine = new ArrayList<>();
        report.path("attempts").forEach(a -> {
            if ("e2e".equals(a.path("task").asText())) {
                mine.add(a);
            }
        });
        assertEquals(1, mine.size(), report.toString());
        JsonNode attempt = mine.get(0);
        assertEquals("generic", attempt.path("orchestrator").asText());
        assertEquals("e2e", attempt.path("task").asText());
        JsonNode usage = attempt.path("usage");
        double cpu = usage.path("cpu_seconds").asDouble();
        System.out.printf("run: cpu %.2fs (kernel %.2fs), peak %d (VmHWM %d), written %d%n", cpu, truthCpu,
                usage.path("peak_rss_bytes").asLong(), truthHwm, usage.path("write_bytes").asLong());
        assertTrue(truthCpu > 0.3, "the workload burnt CPU: " + truthCpu);
        assertEquals(truthCpu, cpu, truthCpu * 0.10, "CPU-seconds of the whole tree");
        assertEquals(truthHwm, usage.path("peak_rss_bytes").asDouble(), truthHwm * 0.10, "peak memory");
        if (!"tmpfs".equals(Files.getFileStore(work).type())) {
            assertEquals(32 << 20, usage.path("write_bytes").asDouble(), (32 << 20) * 0.05, "bytes written");
        }
        assertTrue(attempt.path("cost").path("allocated_usd").asDouble() > 0, attempt.toString());
        assertTrue(attempt.path("cost").path("allocated_usd").asDouble() >= attempt.path("cost").path("used_usd").asDouble());
        JsonNode task = null;
        for (JsonNode t : report.path("tasks")) {
            if ("generic:-:e2e".equals(t.path("id").asText())) {
                task = t;
            }
        }
        assertTrue(task != null, report.toString());
        assertEquals("generic:-:e2e", task.path("id").asText());
        assertTrue(task.path("recommendation").path("memory_bytes").asLong() >= truthHwm, task.toString());
    }

    static long ownChildTicks() throws IOException {
        String s = Files.readString(Path.of("/proc/self/stat"));
        String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[13]) + Long.parseLong(f[14]);
    }
}

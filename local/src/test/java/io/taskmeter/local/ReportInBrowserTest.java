package io.taskmeter.local;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The report the local mode writes, rendered by headless Chromium (Debian's package; .ci/run installs it). */
class ReportInBrowserTest {

    @Test
    void chromiumRendersTheChartsOfARealRunsReport() throws Exception {
        Path chromium = Path.of("/usr/bin/chromium");
        Assumptions.assumeTrue(Files.isExecutable(chromium), "Debian's chromium is not installed here");
        Path work = Files.createDirectories(Path.of("target", "report-browser-test").toAbsolutePath());
        Path data = Files.createTempDirectory(work, "data");
        int code = LocalMain.run(new String[] {"run", "--task", "browser-check", "--data-dir", data.toString(),
                "--interval", "200ms", "--batch-seconds", "1", "--", "bash", "-c",
                "i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done; sleep 0.5"},
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        assertEquals(0, code);
        Path html;
        try (Stream<Path> files = Files.walk(data.resolve("reports"))) {
            html = files.filter(p -> p.toString().endsWith("report.html")).findFirst().orElseThrow();
        }
        Path png = work.resolve("report.png");
        List<String> cmd = new ArrayList<>(List.of(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--user-data-dir=" + Files.createTempDirectory(work, "profile"),
                "--window-size=820,1600"));
        Process dump = new ProcessBuilder(concat(cmd, "--dump-dom", html.toUri().toString()))
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String dom = new String(dump.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(dump.waitFor(60, TimeUnit.SECONDS));
        for (String id : List.of("chart-cpu", "chart-memory", "chart-cost", "chart-trend", "headline", "savings")) {
            assertTrue(dom.contains("id=\"" + id + "\""), "rendered DOM lacks " + id);
        }
        assertTrue(dom.contains("browser-check"), "the task is in the report");
        assertTrue(dom.contains("<polyline"), "the attempt's timeline is drawn");
        Process shot = new ProcessBuilder(concat(cmd, "--screenshot=" + png, html.toUri().toString()))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertTrue(shot.waitFor(60, TimeUnit.SECONDS));
        assertTrue(Files.size(png) > 10_000, "a real picture, not a blank page: " + Files.size(png) + " bytes");
    }

    private static List<String> concat(List<String> a, String... more) {
        List<String> out = new ArrayList<>(a);
        out.addAll(List.of(more));
        return out;
    }
}

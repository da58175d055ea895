package io.taskmeter.core.report;

import io.taskmeter.core.cost.AttemptCost;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SlowRunsTest {
    static AttemptSummary attempt(String id, String host, double seconds, long readBytes, double diskWait, double cores) {
        return attempt(id, host, seconds, readBytes, diskWait, cores, 0);
    }

    static AttemptSummary attempt(String id, String host, double seconds, long readBytes, double diskWait, double cores,
                                  double contended) {
        var usage = new AttemptSummary.Usage(cores * seconds, 100 << 20, readBytes, 0, 0, 0, cores, cores, 1, 1, diskWait);
        var diagnosis = new Diagnosis("mixed", List.of(), List.of(), Map.of("idle_fraction", 0.0,
                "contended_fraction", contended));
        return new AttemptSummary(id, "airflow:etl:load", "airflow", "etl", "load", "r-" + id, "1", -1, host, "title",
                0.9, "finished", "2026-11-2" + id.charAt(id.length() - 1) + "T00:00:00Z", null, seconds, null, usage,
                new AttemptSummary.Allocation(2, 8L << 30, "host share"),
                new AttemptCost(0.01, 0.005, 0.005, 0.008, 0.002, "m5.large", "test"), List.of(), diagnosis, null);
    }

    @Test
    void aSlowRunOnAContendedHostSaysSo() {
        List<AttemptSummary> all = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            all.add(attempt("a" + i, "h1", 100 + i, 1_000_000_000L, 0.01, 0.9, 0.1));
        }
        all.add(attempt("s3", "h1", 300, 1_000_000_000L, 0.01, 0.9, 0.8));
        SlowRun slow = SlowRuns.find(all).get(0);
        assertEquals("s3", slow.attemptId());
        assertTrue(slow.differences().get(0).startsWith("ran on a contended host 8.0× more of its time"),
                slow.differences().toString());
    }

    @Test
    void aSlowRunThatReadMoreIsToldFromOneThatWaitedOnDisk() {
        List<AttemptSummary> base = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            base.add(attempt("a" + i, "h1", 100 + i, 1_000_000_000L, 0.01, 0.9));
        }
        List<AttemptSummary> grewInput = new ArrayList<>(base);
        grewInput.add(attempt("s1", "h1", 300, 3_100_000_000L, 0.01, 0.9));
        SlowRun input = SlowRuns.find(grewInput).get(0);
        assertEquals("s1", input.attemptId());
        assertTrue(input.differences().get(0).startsWith("read 3.1× more bytes"), input.differences().toString());

        List<AttemptSummary> contended = new ArrayList<>(base);
        contended.add(attempt("s2", "h2", 300, 1_000_000_000L, 0.4, 0.3));
        SlowRun disk = SlowRuns.find(contended).get(0);
        assertTrue(disk.differences().get(0).contains("disk wait"), disk.differences().toString());
        assertTrue(disk.differences().stream().anyMatch(d -> d.contains("fewer cores")), disk.differences().toString());
        assertTrue(disk.differences().stream().anyMatch(d -> d.contains("ran on h2")), disk.differences().toString());
    }

    @Test
    void tooFewAttemptsHaveNoUsualToCompareWith() {
        assertTrue(SlowRuns.find(List.of(attempt("a1", "h", 1, 1, 0, 1), attempt("a2", "h", 9, 1, 0, 1))).isEmpty());
    }
}

package io.taskmeter.local;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A few simulated hosts for a few seconds through the real local pipeline: everything sent is ingested and
 * attributed, the API shows exactly the CPU the hosts generated, and the bill counts what was really called.
 * No timing is asserted (the machine is shared).
 */
class LoadRunTest {

    @Test
    void everyBatchArrivesAndTheApiShowsWhatTheHostsGenerated(@TempDir Path dir) throws Exception {
        LoadRun.Settings settings = new LoadRun.Settings(3, 2, 500, 2_000, 6_000, 10, 100, 2, -1, 7);
        LoadRun.Result r = new LoadRun(settings, dir, line -> { }).run();

        // 3 hosts x 3 batches each (6 s of 2 s batches), every slot in every batch (tasks last minutes).
        assertEquals(9, r.batches());
        assertEquals(18, r.units());
        assertEquals(r.batches(), r.ingestedBatches(), "every batch ingested");
        assertEquals(r.batches(), r.attributedBatches(), "every unit of every batch attributed");
        assertEquals(0, r.failures());
        assertEquals(r.batches(), r.ingestLagMs().length);
        assertEquals(r.batches(), r.attributeLagMs().length);
        assertEquals(6, r.attemptsChecked(), "one attempt per slot");
        assertEquals(r.attemptsChecked(), r.attemptsMatching(), String.join("\n", r.mismatches()));

        var usage = r.usage();
        assertEquals(r.batches(), usage.requests("S3.PutObject"), "one upload per batch");
        assertEquals(r.batches(), usage.requests("S3.GetObject"), "one download per batch");
        assertEquals(0, usage.responsesWithoutCapacity(), "DynamoDB Local reported capacity on every response");
        assertTrue(usage.writeUnits().get("taskmeter-usage") >= r.units(), "a usage item per unit and batch");
        assertTrue(usage.writeUnits().get("taskmeter-attempts") >= r.units(), "a contribution per unit and batch");
        assertTrue(r.logLines() >= r.batches(), "ingest logs a line per batch");

        CostModel.Bill bill = CostModel.of(r);
        assertEquals(30 * 86_400 / 2.0, bill.batchesPerHostMonth());
        assertEquals(bill.lines().stream().mapToDouble(CostModel.Line::usdPerHostMonth).sum(), bill.total(), 1e-12);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        LoadCommand.print(r, new PrintStream(out, true, StandardCharsets.UTF_8));
        String printed = out.toString(StandardCharsets.UTF_8);
        assertTrue(printed.contains("attributed (attempts)") && printed.contains("Cost per host-month"), printed);
    }

    @Test
    void helpNamesTheOptions() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertEquals(0, LocalMain.run(new String[] {"load", "--help"}, new PrintStream(out, true, StandardCharsets.UTF_8)));
        String help = out.toString(StandardCharsets.UTF_8);
        for (String option : List.of("--hosts", "--minutes", "--batch-seconds", "--units", "--ingest-batch-size")) {
            assertTrue(help.contains(option), option);
        }
    }
}

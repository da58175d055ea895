package io.taskmeter.shipper;

import io.taskmeter.core.batch.Batch;
import io.taskmeter.core.batch.BatchKey;
import io.taskmeter.core.batch.Sample;
import io.taskmeter.core.batch.UnitSeries;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A real shipper JVM killed with SIGKILL or stopped with SIGTERM while a real task runs. */
class ShipperProcessTest {
    static final long INTERVAL_MS = 200;

    static Process shipper(Path dir, String... extra) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(TestSupport.javaBin(), "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "--interval", INTERVAL_MS + "ms", "--host-id", "proc-host",
                "--spool-dir", dir.resolve("spool").toString()));
        cmd.addAll(List.of(extra));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve("shipper-" + System.nanoTime() + ".log").toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("TASKMETER_"));
        return pb.start();
    }

    /** The shipper's open-batch journal once it holds at least {@code records} intervals. */
    static BatchJournal.Recovered journalWith(Path spool, int records, Process shipper) throws Exception {
        for (int i = 0; i < 600; i++) {
            assertTrue(shipper.isAlive(), "the shipper runs");
            if (Files.isDirectory(spool)) {
                try (Stream<Path> files = Files.list(spool)) {
                    for (Path f : files.filter(p -> p.getFileName().toString().startsWith(BatchJournal.PREFIX)
                            && !p.toString().endsWith(".tmp")).toList()) {
                        BatchJournal.Recovered r = BatchJournal.read(f);
                        if (r != null && r.records() >= records && r.units().stream().anyMatch(ShipperProcessTest::ours)) {
                            return r;
                        }
                    }
                } catch (IOException e) {
                    // a journal was replaced while being read: look again
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no journal with " + records + " intervals of the task in " + spool);
    }

    static boolean ours(UnitSeries u) {
        return "crash-task".equals(u.tags().get("task"));
    }

    static Process task() throws IOException {
        return TestSupport.start("while true; do i=0; while [ $i -lt 2000 ]; do i=$((i+1)); done; sleep 0.05; done",
                "TASKMETER_TASK", "crash-task");
    }

    static Path journalLeft(Path spool) throws IOException {
        try (Stream<Path> files = Files.list(spool)) {
            return files.filter(p -> p.getFileName().toString().startsWith(BatchJournal.PREFIX)).findFirst()
                    .orElse(null);
        }
    }

    @Test
    void killMinus9LosesAtMostTheIntervalBeingSampledAndNoNumberTwice() throws Exception {
        Path dir = TestSupport.newDir();
        Path sink = dir.resolve("sink");
        Process task = task();
        long lastJournaled;
        long killedAt;
        try {
            // Batches of 1 s: some are cut and uploaded before the kill, the open one is journaled.
            Process first = shipper(dir, "--sink", "file://" + sink, "--batch-seconds", "1");
            TestSupport.await(() -> Files.isDirectory(sink) && TestSupport.batches(sink).size() >= 2,
                    "two batches uploaded");
            BatchJournal.Recovered before = journalWith(dir.resolve("spool"), 3, first);
            lastJournaled = before.endMs();
            killedAt = System.currentTimeMillis();
            first.destroyForcibly(); // SIGKILL: no shutdown hook, no final batch
            assertEquals(137, first.waitFor(), "killed by SIGKILL");
            Path journal = journalLeft(dir.resolve("spool"));
            assertTrue(journal != null, "the open batch's journal survived the kill");
            // As if the kill had struck mid-write: half a record at the end, which recovery must ignore.
            Files.write(journal, "0badc0de {\"t\":17".getBytes(StandardCharsets.US_ASCII), StandardOpenOption.APPEND);

            Process second = shipper(dir, "--sink", "file://" + sink, "--batch-seconds", "1", "--once");
            assertTrue(second.waitFor(60, TimeUnit.SECONDS), "the restarted shipper exits");
            assertEquals(0, second.exitValue());
        } finally {
            task.destroyForcibly();
        }
        assertEquals(null, journalLeft(dir.resolve("spool")), "the journal was cut and removed");
        List<Batch> batches = TestSupport.batches(sink); // decoded and validated
        List<Long> seqs = batches.stream().map(Batch::seq).toList();
        for (int i = 0; i < seqs.size(); i++) {
            assertEquals(i + 1, seqs.get(i), "every sequence number once: " + seqs);
        }
        assertTrue(seqs.size() >= 3, "batches before the kill, the recovered one, the one after: " + seqs);
        Set<String> boots = new HashSet<>();
        batches.forEach(b -> boots.add(b.bootId()));
        assertEquals(1, boots.size());

        List<Sample> samples = new ArrayList<>();
        for (UnitSeries u : TestSupport.units(batches, ShipperProcessTest::ours)) {
            samples.addAll(u.samples());
        }
        long lastBeforeKill = samples.stream().mapToLong(Sample::t).filter(t -> t <= killedAt).max().orElse(-1);
        assertTrue(lastBeforeKill >= lastJournaled, "the samples journaled before the kill arrived: last "
                + lastBeforeKill + ", journaled " + lastJournaled);
        for (int i = 1; i < samples.size(); i++) {
            assertTrue(samples.get(i).t() > samples.get(i - 1).t(), "no sample twice, in order: " + samples);
        }
        System.out.printf("kill -9: last sample %d ms before the kill; %d batches, seqs %s%n",
                killedAt - lastBeforeKill, batches.size(), seqs);
    }

    @Test
    void sigtermCutsThePartialBatchAndExitsZeroEvenWhenTheSinkIsDown() throws Exception {
        Path dir = TestSupport.newDir();
        Path sink = dir.resolve("sink");
        Path downDir = TestSupport.newDir();
        Process task = task();
        try {
            Process up = shipper(dir, "--sink", "file://" + sink, "--batch-seconds", "60");
            Process down = shipper(downDir, "--sink", "s3://bucket/p", "--s3-endpoint",
                    "http://127.0.0.1:" + TestSupport.closedPort(), "--batch-seconds", "60");
            long journaledUp = journalWith(dir.resolve("spool"), 3, up).endMs();
            journalWith(downDir.resolve("spool"), 3, down);
            up.destroy(); // SIGTERM
            down.destroy();
            assertTrue(up.waitFor(60, TimeUnit.SECONDS) && down.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, up.exitValue(), "SIGTERM is a normal stop");
            assertEquals(0, down.exitValue(), "SIGTERM is a normal stop, also with the sink down");

            List<Batch> batches = TestSupport.batches(sink);
            assertEquals(1, batches.size(), "the partial batch arrived");
            List<UnitSeries> units = TestSupport.units(batches, ShipperProcessTest::ours);
            assertEquals(1, units.size());
            assertTrue(units.get(0).last().t() >= journaledUp, "it holds every interval sampled");
            assertEquals(0, new Spool(dir.resolve("spool"), Long.MAX_VALUE).entries().size());

            List<Spool.Entry> spooled = new Spool(downDir.resolve("spool"), Long.MAX_VALUE).entries();
            assertEquals(1, spooled.size(), "the partial batch waits in the spool for the next start");
            assertEquals(1, BatchKey.parse(spooled.get(0).key()).seq());
            assertFalse(TestSupport.units(TestSupport.batches(downDir.resolve("spool")), ShipperProcessTest::ours)
                    .isEmpty());
            assertEquals(null, journalLeft(dir.resolve("spool")));
            assertEquals(null, journalLeft(downDir.resolve("spool")));
        } finally {
            task.destroyForcibly();
        }
    }
}

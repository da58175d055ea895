package io.taskmeter.shipper;

import io.taskmeter.core.batch.BatchKey;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A crash between spooling a batch and removing its journal: the next start must recognise the batch as cut and
 * not cut it again, whether the seq file was written, or only the spool or the upload record knows the number.
 */
class JournalRecoveryTest {

    @Test
    void aJournalOfABatchAlreadyCutIsNotCutAgain() throws Exception {
        for (boolean seqFileWritten : new boolean[] {true, false}) {
            Path dir = TestSupport.newDir();
            Path spool = dir.resolve("spool");
            List<String> delivered = Collections.synchronizedList(new ArrayList<>());
            Process task = TestSupport.start("while true; do sleep 0.05; done", "TASKMETER_TASK", "recut-task");
            Path journal;
            byte[] before;
            String bootId;
            long seq;
            try (Shipper s = Shipper.start(TestSupport.config(dir, 100, 60_000).build(), delivered::add)) {
                bootId = s.bootId();
                seq = s.lastSeq() + 1;
                journal = BatchJournal.fileOf(spool, bootId, seq);
                TestSupport.await(() -> {
                    BatchJournal.Recovered r = BatchJournal.read(journal);
                    return r.records() >= 3 && !r.units().isEmpty();
                }, "the open batch journaled");
                before = Files.readAllBytes(journal);
                s.flush(); // batch `seq` is cut, spooled and uploaded; its journal removed
            }
            assertFalse(Files.exists(journal));
            // The crash struck just before the journal was removed (and, the second time, before the seq file
            // was written too): both are as they were.
            Files.write(journal, before);
            if (!seqFileWritten) {
                Files.delete(spool.resolve("seq-" + bootId));
            }
            try (Shipper s = Shipper.start(TestSupport.config(dir, 100, 60_000).build(), delivered::add)) {
                assertFalse(Files.exists(journal), "recognised as cut and removed");
                assertTrue(s.lastSeq() >= seq, "the number is known as used");
                s.flush();
            } finally {
                task.destroyForcibly();
            }
            assertEquals(new HashSet<>(delivered).size(), delivered.size(), "no batch twice: " + delivered);
            List<Long> seqs = new ArrayList<>();
            for (String k : delivered) {
                seqs.add(BatchKey.parse(k).seq());
            }
            for (int i = 0; i < seqs.size(); i++) {
                assertEquals(i + 1, seqs.get(i), "numbers in order, once: " + seqs);
            }
        }
    }

    @Test
    void aJournalThatCannotBeReadIsSetAsideAndTheShipperStarts() throws Exception {
        Path dir = TestSupport.newDir();
        Path spool = Files.createDirectories(dir.resolve("spool"));
        byte[] notJson = "this is no header".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(notJson);
        Path bad = spool.resolve(BatchJournal.PREFIX + "0f0e0d0c-dddd-4000-8000-000000000009-4");
        Files.writeString(bad, String.format("%08x ", crc.getValue()) + new String(notJson,
                java.nio.charset.StandardCharsets.US_ASCII) + "\n");
        try (Shipper s = Shipper.start(TestSupport.config(dir, 100, 60_000).build())) {
            s.flush();
        }
        assertFalse(Files.exists(bad));
        assertTrue(Files.exists(spool.resolve("unreadable-" + bad.getFileName())), "kept for inspection");
        assertEquals(2, TestSupport.batches(dir.resolve("sink")).size(), "the shipper ran as usual");
    }
}

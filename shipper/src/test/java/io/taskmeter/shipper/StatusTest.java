package io.taskmeter.shipper;

import com.fasterxml.jackson.databind.JsonNode;
import io.taskmeter.core.batch.BatchCodec;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code taskmeter-shipper status}, run as a real JVM on the spool a real shipper left. */
class StatusTest {

    @Test
    void statusReportsSpoolDepthDropsTheOpenJournalAndTheLastUpload() throws Exception {
        Path dir = TestSupport.newDir();
        String spoolDir = dir.resolve("spool").toString();
        URI down = URI.create("http://127.0.0.1:" + TestSupport.closedPort());
        // S3 down and a spool that holds only the newest batch: batches wait, older ones are dropped and counted.
        Shipper crashed = Shipper.start(TestSupport.config(dir, 100, 200).sink("s3://b/p").s3Endpoint(down)
                .maxSpoolBytes(1).build());
        TestSupport.await(() -> crashed.lastSeq() >= 3, "three batches cut");
        crashed.stop(false); // leaves the open batch's journal, as a crash would
        List<Spool.Entry> spooled = new Spool(dir.resolve("spool"), Long.MAX_VALUE).entries();
        long openSeq = crashed.lastSeq() + 1;

        MainTest.Run text = MainTest.main(Map.of(), "status", "--spool-dir", spoolDir);
        assertEquals(0, text.exit(), text.err());
        assertTrue(text.out().contains("spool: " + spooled.size() + " batches, "
                + Spool.bytes(spooled) + " bytes, oldest "), text.out());
        assertTrue(text.out().contains("last upload: never"), text.out());
        assertTrue(text.out().contains("journal: open batch " + crashed.bootId() + "-" + openSeq), text.out());

        JsonNode j = BatchCodec.json().readTree(MainTest.main(Map.of(), "status", "--json", "--spool-dir", spoolDir)
                .out());
        assertEquals(spooled.size(), j.path("spool_batches").asInt());
        assertEquals(Spool.bytes(spooled), j.path("spool_bytes").asLong());
        assertTrue(j.path("oldest_age_seconds").asLong(-1) >= 0);
        assertEquals(crashed.lastSeq() - 1, j.path("dropped_total").asLong(), "all but the newest were dropped");
        assertEquals(1, j.path("journals").size());
        assertEquals(openSeq, j.path("journals").get(0).path("seq").asLong());
        assertTrue(j.path("last_upload_key").isNull());

        // The sink is back: the journal is cut, everything goes out, and status says what went last.
        List<String> delivered = Collections.synchronizedList(new ArrayList<>());
        try (Shipper s = Shipper.start(TestSupport.config(dir, 100, 200).build(), delivered::add)) {
            s.flush();
        }
        JsonNode after = BatchCodec.json().readTree(MainTest.main(Map.of(), "status", "--json", "--spool-dir",
                spoolDir).out());
        assertEquals(0, after.path("spool_batches").asInt());
        assertEquals(0, after.path("journals").size());
        assertEquals(delivered.get(delivered.size() - 1), after.path("last_upload_key").asText());
        assertTrue(after.path("last_upload_ms").asLong() > 0);
        assertEquals(0, after.path("dropped_unreported").asLong(), "the drops were reported in a batch");
    }
}

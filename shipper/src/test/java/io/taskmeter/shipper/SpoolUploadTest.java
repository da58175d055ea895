package io.taskmeter.shipper;

import io.taskmeter.core.batch.Batch;
import io.taskmeter.core.batch.BatchCodec;
import io.taskmeter.core.batch.BatchKey;
import io.taskmeter.testkit.AwsClients;
import io.taskmeter.testkit.EmbeddedS3;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Spooling and uploading against S3Proxy over HTTP, through an outage and a restart. */
class SpoolUploadTest {
    static final String BUCKET = "taskmeter-test";

    @Test
    void batchesSurviveAnOutageAndARestartAndArriveOnceInSequence() throws Exception {
        Path dir = TestSupport.newDir();
        List<String> delivered = Collections.synchronizedList(new ArrayList<>());
        Set<String> inS3 = new HashSet<>();
        String boot;
        long seqBeforeOutage;

        try (EmbeddedS3 s3 = EmbeddedS3.inMemory(); S3Client client = AwsClients.s3(s3.endpoint())) {
            client.createBucket(b -> b.bucket(BUCKET));
            try (Shipper shipper = Shipper.start(s3Config(dir, s3.endpoint()), delivered::add)) {
                Thread.sleep(1200);
                shipper.flush();
                boot = shipper.bootId();
            }
            seqBeforeOutage = delivered.size();
            assertTrue(seqBeforeOutage >= 3, "batches uploaded: " + delivered);
            inS3.addAll(keys(client));
            for (String key : inS3) {
                Batch b = BatchCodec.decode(client.getObjectAsBytes(r -> r.bucket(BUCKET).key(key)).asByteArray());
                BatchKey.parse(key).check(b);
                assertTrue(key.startsWith("pre/fix/batches/v1/dt="), key);
            }
        }

        // S3 is down: batches stay spooled; flush says so.
        URI down = URI.create("http://127.0.0.1:" + TestSupport.closedPort());
        Shipper failing = Shipper.start(s3Config(dir, down), delivered::add);
        Thread.sleep(1200);
        assertThrows(java.io.IOException.class, failing::flush);
        assertFalse(failing.stop(true));
        int spooled = new Spool(dir.resolve("spool"), Long.MAX_VALUE).entries().size();
        assertTrue(spooled >= 3, "batches wait in the spool: " + spooled);
        assertEquals(seqBeforeOutage, delivered.size(), "nothing delivered while S3 is down");

        // A new S3 and a restarted shipper on the same spool: the backlog goes first, the sequence continues.
        try (EmbeddedS3 s3 = EmbeddedS3.inMemory(); S3Client client = AwsClients.s3(s3.endpoint())) {
            client.createBucket(b -> b.bucket(BUCKET));
            try (Shipper shipper = Shipper.start(s3Config(dir, s3.endpoint()), delivered::add)) {
                Thread.sleep(500);
                shipper.flush();
            }
            inS3.addAll(keys(client));
        }
        assertEquals(0, new Spool(dir.resolve("spool"), Long.MAX_VALUE).entries().size(), "spool drained");
        assertEquals(new HashSet<>(delivered).size(), delivered.size(), "no batch uploaded twice: " + delivered);
        assertEquals(new HashSet<>(delivered), inS3, "every delivered key is in S3");
        List<Long> seqs = new ArrayList<>();
        for (String key : delivered) {
            BatchKey k = BatchKey.parse(key);
            assertEquals(boot, k.bootId());
            assertEquals("test-host", k.hostId());
            seqs.add(k.seq());
        }
        for (int i = 0; i < seqs.size(); i++) {
            assertEquals(i + 1, seqs.get(i), "consecutive sequence numbers in upload order: " + seqs);
        }
        assertTrue(seqs.size() > seqBeforeOutage + spooled, "the restarted shipper continued the sequence");
    }

    @Test
    void aFullSpoolDropsTheOldestAndTheNextBatchSaysHowMany() throws Exception {
        Path dir = TestSupport.newDir();
        URI down = URI.create("http://127.0.0.1:" + TestSupport.closedPort());
        ShipperConfig config = TestSupport.config(dir, 100, 200).sink("s3://" + BUCKET + "/")
                .s3Endpoint(down).maxSpoolBytes(1).build();
        Shipper shipper = Shipper.start(config);
        Thread.sleep(1500);
        shipper.stop(true);
        List<Spool.Entry> left = new Spool(dir.resolve("spool"), Long.MAX_VALUE).entries();
        assertEquals(1, left.size(), "only the newest batch is kept");
        Batch newest = BatchCodec.decode(Files.readAllBytes(left.get(0).file()));
        assertTrue(newest.seq() >= 3, "several batches were cut: " + newest.seq());
        assertTrue(newest.droppedBatches() > 0, "the drop is reported: " + newest.droppedBatches());
    }

    @Test
    void batchesOlderThanTheAgeBoundAreDroppedCountedAndReported() throws Exception {
        Path dir = TestSupport.newDir();
        URI down = URI.create("http://127.0.0.1:" + TestSupport.closedPort());
        ShipperConfig config = TestSupport.config(dir, 100, 200).sink("s3://" + BUCKET + "/")
                .s3Endpoint(down).maxSpoolAge(java.time.Duration.ofSeconds(1)).build();
        Shipper shipper = Shipper.start(config);
        TestSupport.await(() -> shipper.lastSeq() >= 12, "a dozen batches cut");
        shipper.stop(true);
        long cut = shipper.lastSeq();
        List<Spool.Entry> left = new Spool(dir.resolve("spool"), Long.MAX_VALUE).entries();
        ShipperState state = ShipperState.load(dir.resolve("spool"));
        assertTrue(state.droppedTotal() > 0, "batches older than a second were dropped");
        assertEquals(cut, left.size() + state.droppedTotal(), "every batch is spooled or counted as dropped");
        long reported = 0;
        for (Spool.Entry e : left) {
            reported += BatchCodec.decode(Files.readAllBytes(e.file())).droppedBatches();
        }
        assertTrue(reported > 0, "the drops are reported in the batches that follow");
    }

    @Test
    void retriesBackOffExponentiallyWithJitter() {
        List<Long> caps = new ArrayList<>();
        for (long cap = Uploader.nextCap(0); caps.size() < 10; cap = Uploader.nextCap(cap)) {
            caps.add(cap);
        }
        assertEquals(List.of(500L, 1000L, 2000L, 4000L, 8000L, 16000L, 32000L, 60000L, 60000L, 60000L), caps);
        Set<Long> waits = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            long w = Uploader.jittered(8000);
            assertTrue(w >= 4000 && w <= 8000, "between half the cap and the cap: " + w);
            waits.add(w);
        }
        assertTrue(waits.size() > 50, "waits are spread, not synchronised: " + waits.size());
    }

    static ShipperConfig s3Config(Path dir, URI endpoint) {
        return TestSupport.config(dir, 100, 300).sink("s3://" + BUCKET + "/pre/fix").s3Endpoint(endpoint).build();
    }

    static Set<String> keys(S3Client client) {
        Set<String> out = new HashSet<>();
        for (S3Object o : client.listObjectsV2Paginator(r -> r.bucket(BUCKET)).contents()) {
            out.add(o.key());
        }
        return out;
    }
}

package io.taskmeter.shipper;

import io.taskmeter.core.batch.Batch;
import io.taskmeter.core.batch.BatchCodec;
import io.taskmeter.core.batch.BatchKey;
import io.taskmeter.testkit.AwsClients;
import io.taskmeter.testkit.EmbeddedS3;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;

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
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A host reboots (a new boot id) while batches of the old boot wait in the spool and its journal is open. */
class RebootTest {
    static final String BOOT_A = "0f0e0d0c-aaaa-4000-8000-000000000001";
    static final String BOOT_B = "0f0e0d0c-bbbb-4000-8000-000000000002";

    @Test
    void oldBootBatchesUploadUnderTheirKeysAndTheNewBootStartsAtOne() throws Exception {
        Path dir = TestSupport.newDir();
        Path bootFile = dir.resolve("boot_id");
        Files.writeString(bootFile, BOOT_A + "\n");
        URI down = URI.create("http://127.0.0.1:" + TestSupport.closedPort());
        Shipper before = Shipper.start(config(dir, bootFile, down).build());
        assertEquals(BOOT_A, before.bootId());
        TestSupport.await(() -> before.lastSeq() >= 3, "three batches of the old boot cut");
        long cutBeforeReboot = before.lastSeq();
        before.stop(false); // the power goes: no final batch, the open one stays journaled
        assertTrue(cutBeforeReboot >= 3, "batches of the old boot were cut: " + cutBeforeReboot);

        Files.writeString(bootFile, BOOT_B + "\n");
        List<String> delivered = Collections.synchronizedList(new ArrayList<>());
        try (EmbeddedS3 s3 = EmbeddedS3.inMemory(); S3Client client = AwsClients.s3(s3.endpoint())) {
            client.createBucket(b -> b.bucket(SpoolUploadTest.BUCKET));
            try (Shipper after = Shipper.start(config(dir, bootFile, s3.endpoint()).build(),
                    delivered::add)) {
                assertEquals(BOOT_B, after.bootId());
                Thread.sleep(1000);
                after.flush();
            }
            Set<String> inS3 = SpoolUploadTest.keys(client);
            assertEquals(delivered.size(), new HashSet<>(delivered).size(), "no key written twice: " + delivered);
            assertEquals(new HashSet<>(delivered), inS3);
            List<Long> a = new ArrayList<>();
            List<Long> b = new ArrayList<>();
            for (String key : delivered) {
                BatchKey k = BatchKey.parse(key);
                Batch batch = BatchCodec.decode(client.getObjectAsBytes(r -> r.bucket(SpoolUploadTest.BUCKET)
                        .key(key)).asByteArray());
                k.check(batch);
                (k.bootId().equals(BOOT_A) ? a : b).add(k.seq());
            }
            assertEquals(cutBeforeReboot + 1, a.size(), "the old boot's spool and its journal: " + a);
            for (int i = 0; i < a.size(); i++) {
                assertEquals(i + 1, a.get(i), "old boot's numbers, in order, once: " + a);
            }
            assertFalse(b.isEmpty());
            for (int i = 0; i < b.size(); i++) {
                assertEquals(i + 1, b.get(i), "the new boot counts from 1: " + b);
            }
            assertEquals(Long.toString(a.size()), Files.readString(dir.resolve("spool/seq-" + BOOT_A)).strip());
            assertEquals(Long.toString(b.size()), Files.readString(dir.resolve("spool/seq-" + BOOT_B)).strip());
        }
    }

    static ShipperConfig.Builder config(Path dir, Path bootFile, URI endpoint) {
        return TestSupport.config(dir, 100, 300).sink("s3://" + SpoolUploadTest.BUCKET + "/pre")
                .s3Endpoint(endpoint).bootIdFile(bootFile);
    }
}

package io.taskmeter.shipper;

import io.taskmeter.core.batch.UnitSeries;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Secrets in a task's environment and command line never reach a batch, nor the spool on disk. */
class SecretsTest {

    @Test
    void noSecretFromEnvironmentOrCommandLineLeavesTheProcess() throws Exception {
        Path dir = TestSupport.newDir();
        String awsSecret = "awssecret" + UUID.randomUUID().toString().replace("-", "");
        String dbPassword = "dbpassword" + UUID.randomUUID().toString().replace("-", "");
        String argSecret = "argsecret" + UUID.randomUUID().toString().replace("-", "");
        String urlSecret = "urlsecret" + UUID.randomUUID().toString().replace("-", "");
        List<String> secrets = List.of(awsSecret, dbPassword, argSecret, urlSecret);
        // An S3 sink nobody listens on: every batch stays in the spool, where all of them are scanned, and the
        // same batches go to a directory sink to be decoded.
        ShipperConfig config = TestSupport.config(dir, 200, 600)
                .sink("s3://bucket/p").s3Endpoint(URI.create("http://127.0.0.1:" + TestSupport.closedPort())).build();
        Path out = dir.resolve("copy");
        FileSink copy = new FileSink(out);
        Shipper shipper = Shipper.start(config, config.openSink(), null);
        List<String> journaled = new java.util.ArrayList<>();
        try {
            Process p = TestSupport.start("sleep 1.5; true # --password=" + argSecret + " https://etl:" + urlSecret
                            + "@db.example.com/x",
                    "TASKMETER_TASK", "secrets", "AWS_SECRET_ACCESS_KEY", awsSecret, "DB_PASSWORD", dbPassword);
            // The open batch's journal, while the task runs: it holds the same (redacted) series as the batches.
            TestSupport.await(() -> {
                try {
                    journaled.clear();
                    journaled.addAll(TestSupport.contents(dir.resolve("spool")));
                } catch (java.io.IOException raced) {
                    return false; // a file was renamed or removed while read: read again
                }
                // a journal is text lines "<crc32> {json}", the task's unit and its redacted command among them
                return journaled.stream().anyMatch(c -> c.matches("(?s)[0-9a-f]{8} \\{.*")
                        && c.contains("\"task\":\"secrets\"") && c.contains("--password=***"));
            }, "the task journaled");
            assertEquals(0, p.waitFor());
            Thread.sleep(400);
        } finally {
            assertFalse(shipper.stop(true), "the sink is down: batches stay spooled");
        }
        for (Spool.Entry e : new Spool(dir.resolve("spool"), Long.MAX_VALUE).entries()) {
            copy.put(e.key(), java.nio.file.Files.readAllBytes(e.file()));
        }
        List<UnitSeries> units = TestSupport.units(TestSupport.batches(out),
                u -> "secrets".equals(u.tags().get("task")));
        assertFalse(units.isEmpty(), "the task was followed");
        String command = units.get(0).command();
        assertTrue(command.contains("--password=***") && command.contains("https://etl:***@db.example.com"),
                "the command line was kept, redacted: " + command);
        List<String> everything = TestSupport.contents(dir.resolve("spool"));
        everything.addAll(journaled);
        assertTrue(everything.size() >= 2, "batches were spooled");
        for (String content : everything) {
            for (String secret : secrets) {
                assertFalse(content.contains(secret), "a secret reached the spool: " + secret);
            }
        }
    }
}

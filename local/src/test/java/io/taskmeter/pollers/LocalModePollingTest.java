package io.taskmeter.pollers;

import io.taskmeter.core.metadata.MetadataCodec;
import io.taskmeter.core.metadata.MetadataDocument;
import io.taskmeter.core.metadata.MetadataRecord;
import io.taskmeter.local.LocalMain;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code run --airflow-url}: the local mode starts the shipper's Airflow poller against a real HTTP server (the
 * pollers' fake Airflow 3, with its JWT login), and the documents it writes land in the local S3 under
 * {@code metadata/v1/}, where the local pipeline ingests them.
 */
class LocalModePollingTest {

    @Test
    void airflowTaskInstancesArePolledIntoTheLocalBucket() throws Exception {
        Path data = Files.createTempDirectory(Files.createDirectories(Path.of("target").toAbsolutePath()), "polling");
        try (FakeAirflow airflow = new FakeAirflow(3)) {
            airflow.taskInstances.addAll(FakeServer.fixture("airflow3-v2-task-instances.json", "task_instances"));
            int served = airflow.taskInstances.size();
            assertTrue(served > 0, "the fixture has task instances");
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int code = LocalMain.run(new String[] {"run", "--json", "--task", "polled", "--data-dir", data.toString(),
                    "--interval", "200ms", "--batch-seconds", "1", "--airflow-url", airflow.url().toString(),
                    "--airflow-username", FakeAirflow.USER, "--airflow-password", FakeAirflow.PASSWORD,
                    "--", "sleep", "1"}, new PrintStream(out, true, StandardCharsets.UTF_8));
            assertEquals(0, code, out.toString(StandardCharsets.UTF_8));

            List<MetadataRecord> records = new ArrayList<>();
            try (Stream<Path> files = Files.walk(data.resolve("s3"))) {
                for (Path f : files.filter(p -> p.toString().contains("metadata/v1/")
                        && p.toString().endsWith(".json.gz")).toList()) {
                    MetadataDocument doc = MetadataCodec.decode(Files.readAllBytes(f));
                    assertEquals("airflow", doc.source());
                    records.addAll(doc.records());
                }
            }
            assertFalse(records.isEmpty(), "the poller's documents reached the local bucket");
            assertTrue(records.stream().anyMatch(r -> MetadataRecord.TASK_INSTANCE.equals(r.type())),
                    "task instances among them: " + records);
            String log = out.toString(StandardCharsets.UTF_8);
            assertFalse(log.contains(FakeAirflow.PASSWORD), "the password is never printed");
        }
    }
}

package io.taskmeter.aws;

import io.taskmeter.core.cost.PriceTable;
import io.taskmeter.core.metadata.MetadataCodec;
import io.taskmeter.core.metadata.MetadataDocument;
import io.taskmeter.core.metadata.MetadataRecord;
import io.taskmeter.core.rightsizing.RightsizingSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Ingest of metadata documents against DynamoDB Local and S3Proxy: routing, quarantine, idempotence. */
class MetadataIngestTest {
    static StandIns standIns;

    @BeforeAll
    static void start() {
        standIns = StandIns.start();
    }

    @AfterAll
    static void stop() {
        standIns.close();
    }

    private static MetadataRecord flowRun(String state, long updated) {
        return MetadataRecord.builder(MetadataRecord.FLOW_RUN, "prefect", "prefect").id("f-1").run("f-1")
                .dagOrFlow("nightly").state(state).startMs(1_000L).updatedMs(updated).build();
    }

    @Test
    void documentsAreStoredOnceAndBadOnesQuarantinedWithTheirReason() throws Exception {
        String bucket = standIns.freshBucket("meta");
        TableNames tables = standIns.freshTables("meta");
        Services services = new Services(standIns.ddb, standIns.s3, tables, PriceTable.builtIn(),
                RightsizingSettings.defaults());
        MetadataDocument good = MetadataDocument.of("prefect", "p", 5_000L, List.of(flowRun("running", 2_000L)));
        standIns.s3.putObject(b -> b.bucket(bucket).key(good.key()), RequestBody.fromBytes(MetadataCodec.encode(good)));
        IngestService.Outcome first = services.ingest().ingest(bucket, good.key());
        assertEquals(IngestService.Status.INGESTED, first.status(), first.toString());
        List<String> afterFirst = standIns.dump(tables.attempts());
        assertEquals(IngestService.Status.DUPLICATE, services.ingest().ingest(bucket, good.key()).status());
        assertEquals(afterFirst, standIns.dump(tables.attempts()), "a second delivery changes nothing");

        String notGzip = MetadataDocument.ROOT + "prefect/2026-11-29/broken.json.gz";
        standIns.s3.putObject(b -> b.bucket(bucket).key(notGzip),
                RequestBody.fromString("{\"format\":\"taskmeter-metadata\"}"));
        IngestService.Outcome broken = services.ingest().ingest(bucket, notGzip);
        assertEquals(IngestService.Status.QUARANTINED, broken.status());
        assertTrue(broken.reason().startsWith("not gzip"), broken.reason());

        MetadataDocument unknown = MetadataDocument.of("prefect", "p", 5_000L, List.of(
                MetadataRecord.builder("deployment", "prefect", "prefect").id("d-1").build()));
        standIns.s3.putObject(b -> b.bucket(bucket).key(unknown.key()),
                RequestBody.fromBytes(MetadataCodec.encode(unknown)));
        IngestService.Outcome rejected = services.ingest().ingest(bucket, unknown.key());
        assertEquals(IngestService.Status.QUARANTINED, rejected.status());
        assertTrue(rejected.reason().contains("unknown type 'deployment'"), rejected.reason());
        String reason = standIns.s3.getObjectAsBytes(b -> b.bucket(bucket)
                .key(IngestService.QUARANTINE + unknown.key() + ".reason.json")).asString(StandardCharsets.UTF_8);
        assertTrue(reason.contains("unknown type"), reason);
        assertEquals(afterFirst, standIns.dump(tables.attempts()), "rejected documents store nothing");
    }
}

package io.taskmeter.core.metadata;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

class OrchestratorFactsTest {
    private static AttachedRecord attached(MetadataRecord r, String how, double confidence) {
        return new AttachedRecord(r, how, confidence);
    }

    @Test
    void newerFieldsWinOlderFillGapsAndOrderDoesNotMatter() {
        MetadataRecord polledRunning = MetadataRecord.builder(MetadataRecord.FLOW_RUN, "prefect", "prefect").id("f")
                .dagOrFlow("nightly").state("running").workPool("pool").startMs(1_000L).updatedMs(2_000L).build();
        MetadataRecord polledDone = polledRunning.toBuilder().state("success").endMs(9_000L).updatedMs(9_500L).build();
        MetadataRecord pushedCrash = MetadataRecord.builder(MetadataRecord.FLOW_RUN, "prefect", "prefect-event")
                .id("f").state("crashed").oomKilled(true).updatedMs(9_600L).build();
        MetadataRecord taskRun = MetadataRecord.builder(MetadataRecord.TASK_RUN, "prefect", "prefect").id("t")
                .run("f").task("fetch").startMs(1_500L).updatedMs(3_000L).build();
        List<AttachedRecord> all = new ArrayList<>(List.of(attached(polledRunning, "metadata:flow_run_id", 1.0),
                attached(polledDone, "metadata:flow_run_id", 1.0), attached(pushedCrash, "metadata:flow_run_id", 1.0),
                attached(taskRun, "metadata:flow_run_id", 1.0), attached(polledRunning, "metadata:host+pid+start", 0.85)));
        OrchestratorFacts expected = OrchestratorFacts.merge(all);
        assertEquals("crashed", expected.attempt().state());
        assertEquals(Boolean.TRUE, expected.attempt().oomKilled());
        assertEquals("pool", expected.attempt().workPool(), "a partial record never erases a fuller one");
        assertEquals(9_000L, expected.attempt().endMs());
        assertEquals(1, expected.taskRuns().size());
        assertEquals("metadata:flow_run_id", expected.how());
        Random random = new Random(3);
        for (int i = 0; i < 20; i++) {
            Collections.shuffle(all, random);
            assertEquals(expected, OrchestratorFacts.merge(all));
        }
    }
}

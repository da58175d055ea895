package io.taskmeter.aws;

import io.taskmeter.core.attribution.AttemptIdentity;
import io.taskmeter.core.batch.Batch;
import io.taskmeter.core.batch.UnitSeries;
import io.taskmeter.core.usage.UsageSlice;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * An Airflow 2 task is recognised by its runner's title first ("title", confidence 0.9) and, once a child shows
 * its AIRFLOW_CTX_* environment, by both ("title+env", 0.95). Batches arrive in any order; the attempt's META
 * must end the same either way, naming the most confident attribution.
 */
class AttemptAttributionOrderTest {
    static StandIns standIns;

    @BeforeAll
    static void start() {
        standIns = StandIns.start();
    }

    @AfterAll
    static void stop() {
        standIns.close();
    }

    @Test
    void inOrderAndReversedDeliveriesLeaveTheSameMostConfidentAttribution() {
        List<Batch> batches = PipelineScenario.batches().stream()
                .filter(b -> b.hostId().equals("host-a") && b.bootId().equals("boot-a1") && b.seq() <= 2).toList();
        UnitSeries early = unit(batches.get(0), "boot-a1/3101/52717");
        UnitSeries late = unit(batches.get(1), "boot-a1/3101/52717");
        assertEquals("title", early.how());
        assertEquals("title+env", late.how());

        Map<String, AttributeValue> inOrder = deliver(List.of(batches.get(0), batches.get(1)), early.unitId());
        Map<String, AttributeValue> reversed = deliver(List.of(batches.get(1), batches.get(0)), early.unitId());

        assertEquals("title+env", inOrder.get("how").s());
        assertEquals(0.95, Double.parseDouble(inOrder.get("confidence").n()));
        assertEquals("1", reversed.get("try_number").s());
        inOrder.remove("unit_ids");
        reversed.remove("unit_ids");
        assertEquals(inOrder, reversed);
    }

    private static Map<String, AttributeValue> deliver(List<Batch> order, String unitId) {
        TableNames tables = standIns.freshTables("attribution");
        AttemptStore store = new AttemptStore(standIns.ddb, tables.attempts());
        String attemptId = null;
        for (Batch b : order) {
            UsageSlice slice = UsageSlice.of(b, unit(b, unitId));
            AttemptIdentity id = AttemptIdentity.of(slice.kind(), slice.how(), slice.tags(), slice.unitId());
            attemptId = id.attemptId();
            store.record(id, slice);
        }
        String pk = AttemptStore.attemptKey(attemptId);
        return new java.util.HashMap<>(standIns.ddb.getItem(g -> g.tableName(tables.attempts())
                .key(Items.key(pk, "META")).consistentRead(true)).item());
    }

    private static UnitSeries unit(Batch b, String unitId) {
        return b.units().stream().filter(u -> u.unitId().equals(unitId)).findFirst().orElseThrow();
    }
}

package io.taskmeter.aws;

import io.taskmeter.core.usage.UsageSlice;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Raw usage slices carry the table's TTL attribute, derived from the batch alone, so a redelivery changes nothing. */
class UsageRetentionTest {

    @Test
    void aStoredSliceExpiresThirtyFiveDaysAfterItsBatchEnds() {
        try (StandIns standIns = StandIns.start()) {
            TableNames tables = standIns.freshTables("ttl");
            UsageStore store = new UsageStore(standIns.ddb, tables.usage());
            UsageSlice slice = UsageItemsDetailTest.slice(0, List.of());
            assertTrue(store.putIfAbsent(slice));
            assertFalse(store.putIfAbsent(slice), "the same slice again is a duplicate");

            Map<String, AttributeValue> item = standIns.ddb.getItem(b -> b.tableName(tables.usage())
                    .key(Items.key(UsageStore.unitKey(slice.unitId()), UsageItems.batchSortKey(slice)))
                    .consistentRead(true)).item();
            long expected = slice.endMs() / 1000 + 35L * 86_400;
            assertEquals(expected, Long.parseLong(item.get("expires_at").n()));
            assertEquals(slice.cpuSeconds(), store.get(UsageStore.unitKey(slice.unitId()),
                    UsageItems.batchSortKey(slice)).cpuSeconds(), "the slice still reads back");
        }
    }
}

package io.taskmeter.aws;

import io.taskmeter.core.usage.UsageSlice;
import io.taskmeter.core.attribution.AttemptIdentity;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Turns unit usage into attempt usage as it lands in the usage table (one DynamoDB stream record per new
 * unit-batch item). A record that fails is reported for retry; the others of the same event stand.
 */
public final class AttributeService {
    private static final Logger LOG = Logger.getLogger(AttributeService.class.getName());

    private final UsageStore usage;
    private final AttemptStore attempts;
    private final StallMonitor stalls;
    private final MetadataStore metadata;

    public AttributeService(UsageStore usage, AttemptStore attempts, StallMonitor stalls, MetadataStore metadata) {
        this.usage = usage;
        this.attempts = attempts;
        this.stalls = stalls;
        this.metadata = metadata;
    }

    /** @return the sequence numbers of records that failed and must be retried */
    public List<String> attribute(List<LambdaEvents.StreamKey> keys) {
        List<String> failed = new ArrayList<>();
        for (LambdaEvents.StreamKey key : keys) {
            if (!"INSERT".equals(key.eventName()) && !"MODIFY".equals(key.eventName())
                    || !key.pk().startsWith("U#")) {
                continue;
            }
            try {
                attribute(key.pk(), key.sk());
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "{\"event\":\"attribute_failed\",\"pk\":\"" + key.pk() + "\",\"sk\":\""
                        + key.sk() + "\",\"error\":\"" + e.getClass().getSimpleName() + "\"}", e);
                failed.add(key.sequenceNumber());
            }
        }
        return failed;
    }

    public void attribute(String pk, String sk) {
        UsageSlice record = usage.get(pk, sk);
        if (record == null) {
            return; // expired or never written: nothing to attribute
        }
        AttemptIdentity id = AttemptIdentity.of(record.kind(), record.how(), record.tags(), record.unitId());
        attempts.record(id, record);
        metadata.indexUnit(id.attemptId(), record);
        stalls.check(id, record);
    }
}

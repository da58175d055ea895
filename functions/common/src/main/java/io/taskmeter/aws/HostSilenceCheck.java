package io.taskmeter.aws;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.taskmeter.core.batch.BatchCodec;
import io.taskmeter.core.report.AttemptSummary;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A host that stops sending batches while the orchestrator's tasks still run there is invisible to the stall
 * detectors (they see no data): reported here, once per silence, from the scheduled job.
 */
public final class HostSilenceCheck {
    private final UsageStore usage;
    private final AlertPublisher publisher;
    private final long silenceAfterMs;

    public HostSilenceCheck(UsageStore usage, AlertPublisher publisher, long silenceAfterMs) {
        this.usage = usage;
        this.publisher = publisher;
        this.silenceAfterMs = silenceAfterMs;
    }

    /** @return the hosts reported silent by this run */
    public List<String> check(InsightsJob.Result insights, long nowMs) {
        Map<String, List<AttemptSummary>> running = insights.running().stream()
                .collect(Collectors.groupingBy(AttemptSummary::host, LinkedHashMap::new, Collectors.toList()));
        Map<String, Long> lastEnds = usage.lastBatchEnds(running.keySet());
        List<String> reported = new java.util.ArrayList<>();
        for (Map.Entry<String, List<AttemptSummary>> e : running.entrySet()) {
            Long last = lastEnds.get(e.getKey());
            if (last == null || nowMs - last < silenceAfterMs || !usage.markSilenceReported(e.getKey(), last)) {
                continue;
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("kind", "host_silent");
            body.put("host", e.getKey());
            body.put("last_batch_end", Instant.ofEpochMilli(last).toString());
            body.put("silent_seconds", (nowMs - last) / 1000);
            body.put("running_attempts", e.getValue().stream().map(a -> Map.of("attempt_id", a.id(),
                    "task_id", a.taskId(), "api_path", "/v1/attempts/" + a.id())).toList());
            try {
                publisher.publish("taskmeter: host " + e.getKey() + " silent for " + (nowMs - last) / 60_000
                        + " min with " + e.getValue().size() + " running attempt(s)", BatchCodec.json().writeValueAsString(body));
            } catch (JsonProcessingException ex) {
                throw new IllegalStateException(ex);
            }
            reported.add(e.getKey());
        }
        return reported;
    }
}

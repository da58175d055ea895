package io.taskmeter.core.metadata;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the orchestrator says about one attempt, merged from every record tied to it, pure. Records arrive in
 * any order, duplicated, and some carry only part of the facts (a pushed event); merging orders them by version
 * (when the orchestrator last changed the object, then how final the state is, then the content) and lets each
 * newer record overwrite only the fields it has. So any set of records gives one answer, whatever the order in
 * which they were stored.
 *
 * @param attempt    the task instance or flow run, merged; null when only task runs are known
 * @param taskRuns   Prefect task runs of a flow-run attempt, each merged, ordered by start then id
 * @param how        the most confident rule that tied a record to the attempt (ties: by name)
 * @param confidence that rule's confidence
 */
public record OrchestratorFacts(MetadataRecord attempt, List<MetadataRecord> taskRuns, String how,
                                double confidence) {
    private static final ObjectMapper JSON = MetadataCodec.json();

    public static OrchestratorFacts merge(List<AttachedRecord> attached) {
        if (attached == null || attached.isEmpty()) {
            return null;
        }
        List<AttachedRecord> sorted = new ArrayList<>(attached);
        sorted.sort(Comparator.comparing((AttachedRecord a) -> version(a.record())));
        String how = null;
        double confidence = -1;
        List<MetadataRecord> main = new ArrayList<>();
        Map<String, List<MetadataRecord>> runs = new TreeMap<>();
        for (AttachedRecord a : sorted) {
            if (a.confidence() > confidence || a.confidence() == confidence && a.how().compareTo(how) > 0) {
                how = a.how();
                confidence = a.confidence();
            }
            MetadataRecord r = a.record();
            if (MetadataRecord.TASK_RUN.equals(r.type())) {
                runs.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(r);
            } else if (!MetadataRecord.DAG_RUN.equals(r.type())) {
                main.add(r);
            }
        }
        List<MetadataRecord> taskRuns = new ArrayList<>();
        runs.values().forEach(v -> taskRuns.add(fold(v)));
        taskRuns.sort(Comparator.comparing((MetadataRecord r) -> r.startMs() == null ? Long.MAX_VALUE : r.startMs())
                .thenComparing(MetadataRecord::key));
        return new OrchestratorFacts(main.isEmpty() ? null : fold(main), List.copyOf(taskRuns), how, confidence);
    }

    /**
     * Sorts older before newer: the orchestrator's own update time (or, without one, the latest time the record
     * names), then a terminal state after a running one, then the canonical content, so no two different
     * records tie.
     */
    static String version(MetadataRecord r) {
        long t = r.updatedMs() != null ? r.updatedMs() : r.endMs() != null ? r.endMs()
                : r.startMs() != null ? r.startMs() : 0L;
        return String.format("%020d#%d#%s", Math.max(0, t), States.terminal(r.state()) ? 1 : 0,
                MetadataCodec.canonical(r));
    }

    /** Newer non-null fields over older ones; records are sorted oldest first. */
    private static MetadataRecord fold(List<MetadataRecord> oldestFirst) {
        ObjectNode merged = JSON.createObjectNode();
        for (MetadataRecord r : oldestFirst) {
            JsonNode tree = JSON.valueToTree(r);
            tree.fields().forEachRemaining(f -> {
                if (!f.getValue().isNull()) {
                    merged.set(f.getKey(), f.getValue());
                }
            });
        }
        try {
            return JSON.treeToValue(merged, MetadataRecord.class);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("merged record does not read back", e);
        }
    }
}

package io.taskmeter.core.identity;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * That a process is (part of) a task, and which: the orchestrator kind, how it was recognised and the identity
 * tags found. Tags from several processes of one tree are merged while they agree.
 */
public record Recognition(String kind, String how, Map<String, String> tags) {

    public Recognition {
        tags = Map.copyOf(tags);
    }

    /** Same task when the kinds match and no tag both define differs. */
    public boolean agreesWith(Recognition other) {
        if (!kind.equals(other.kind)) {
            return false;
        }
        for (Map.Entry<String, String> e : tags.entrySet()) {
            String theirs = other.tags.get(e.getKey());
            if (theirs != null && !Objects.equals(theirs, e.getValue())) {
                return false;
            }
        }
        return true;
    }

    /** This recognition completed with the tags only {@code other} knows; {@code how} stays the first one. */
    public Recognition enrichedWith(Recognition other) {
        Map<String, String> merged = new LinkedHashMap<>(other.tags);
        merged.putAll(tags);
        String mergedHow = how.contains(other.how) ? how : how + "+" + other.how;
        return new Recognition(kind, mergedHow, merged);
    }
}

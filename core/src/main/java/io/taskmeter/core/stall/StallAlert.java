package io.taskmeter.core.stall;

import java.util.Map;

/**
 * What an alert says, on SNS and in GET /v1/stalls: which attempt, which problem, since when, what was seen, and
 * where to look. {@code state} is "open" while the episode lasts and "recovered" once it is over.
 */
public record StallAlert(String attemptId, String taskId, String orchestrator, String dagOrFlow, String task,
                         String run, String tryNumber, String host, String kind, String state, String since,
                         String changedAt, Map<String, Object> signals, String apiPath) {

    public String subject() {
        String name = (dagOrFlow == null ? "" : dagOrFlow + ".") + task + (tryNumber == null ? "" : " try " + tryNumber);
        String k = kind.replace('_', ' ');
        String what = switch (state) {
            case "recovered" -> "recovered from " + k;
            case "ended" -> "ended during " + k;
            default -> k;
        };
        String subject = "taskmeter: " + orchestrator + " " + name + " " + what + " on " + host;
        // SNS subjects are at most 100 characters.
        return subject.length() <= 100 ? subject : subject.substring(0, 99) + "…";
    }
}

package io.taskmeter.core.metadata;

import java.util.Locale;
import java.util.Set;

/**
 * One state vocabulary for both orchestrators: Airflow's task-instance and DAG-run states as they are (lower
 * case), Prefect's state types mapped onto them ({@code COMPLETED} → {@code success}, {@code FAILED} →
 * {@code failed}, {@code CRASHED} → {@code crashed}, {@code CANCELLED} → {@code cancelled}, the rest lower
 * case). Unknown states pass through lower-cased, so a new orchestrator state is kept, not dropped.
 */
public final class States {
    public static final String SUCCESS = "success";
    public static final String FAILED = "failed";
    public static final String RUNNING = "running";

    private static final Set<String> TERMINAL = Set.of(SUCCESS, FAILED, "upstream_failed", "skipped", "removed",
            "crashed", "cancelled", "up_for_retry");
    private static final Set<String> FAILURES = Set.of(FAILED, "crashed", "up_for_retry", "cancelled");

    private States() {
    }

    public static String airflow(String raw) {
        if (raw == null || raw.isBlank()) {
            return null;
        }
        String s = raw.strip().toLowerCase(Locale.ROOT);
        if (s.startsWith("taskinstancestate.") || s.startsWith("dagrunstate.")) {
            s = s.substring(s.indexOf('.') + 1);
        }
        return s.equals("none") ? null : s;
    }

    public static String prefect(String stateType) {
        if (stateType == null || stateType.isBlank()) {
            return null;
        }
        String s = stateType.strip().toUpperCase(Locale.ROOT);
        if (s.startsWith("STATETYPE.")) {
            s = s.substring("STATETYPE.".length());
        }
        return switch (s) {
            case "COMPLETED" -> SUCCESS;
            case "FAILED" -> FAILED;
            case "CANCELLED" -> "cancelled";
            case "CRASHED" -> "crashed";
            default -> s.toLowerCase(Locale.ROOT);
        };
    }

    /** True when the attempt will not run any more in this state (for an attempt; up_for_retry ends a try). */
    public static boolean terminal(String state) {
        return state != null && TERMINAL.contains(state);
    }

    /** The attempt ended without success. */
    public static boolean failure(String state) {
        return state != null && FAILURES.contains(state);
    }

    /**
     * Whether an attempt counts as succeeded for rightsizing, from the orchestrator's state when there is one;
     * without one, {@code finishedOnHost} (the host saw the process end) stands in, as before metadata existed.
     */
    public static boolean succeeded(String state, boolean finishedOnHost) {
        if (state == null || state.isBlank()) {
            return finishedOnHost;
        }
        return SUCCESS.equals(state);
    }
}

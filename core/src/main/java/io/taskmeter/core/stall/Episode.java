package io.taskmeter.core.stall;

import java.util.Map;

/**
 * An ongoing problem of a running attempt: which kind, since when (the start of the run of intervals that shows
 * it), and the signals seen, for the alert's body.
 */
public record Episode(Kind kind, long sinceMs, double seconds, Map<String, Object> signals) {

    public enum Kind {
        STALL("stall", "no CPU and no I/O progress"),
        IO_HANG("io_hang", "a process stuck in uninterruptible I/O wait with no disk progress"),
        SPIN("spin", "busy on CPU with no I/O and no output");

        public final String id;
        public final String meaning;

        Kind(String id, String meaning) {
            this.id = id;
            this.meaning = meaning;
        }
    }
}

package io.taskmeter.core.batch;

/** A batch that cannot be accepted; the message says why, for the quarantine record and the log. */
public class BatchFormatException extends Exception {
    public BatchFormatException(String reason) {
        super(reason);
    }

    public BatchFormatException(String reason, Throwable cause) {
        super(reason, cause);
    }
}

package io.taskmeter.pollers;

import java.io.IOException;

/**
 * A poll that did not complete. Every kind is retried with backoff; the kind only decides what the log line
 * says, because a wrong password needs a person while a 503 does not.
 */
public final class PollFailure extends IOException {
    public enum Kind {
        /** 401/403: credentials missing, wrong, expired or lacking a permission. */
        AUTH,
        /** timeouts, refused connections, 5xx, 429: the orchestrator is busy or away. */
        UNAVAILABLE,
        /** any other answer the poller cannot use (404, 400, a body that is not the expected JSON). */
        BAD_ANSWER
    }

    private final Kind kind;

    public PollFailure(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public PollFailure(Kind kind, String message) {
        this(kind, message, null);
    }

    public Kind kind() {
        return kind;
    }
}

package io.taskmeter.local;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * What the functions would write to CloudWatch Logs: every record of their loggers at INFO or above (Quarkus's
 * default level), at the length of Quarkus's default console line. While counting, the local console shows
 * warnings only, so a load run's progress stays readable.
 */
final class LogVolume extends Handler {
    /** {@code 2026-11-29 23:00:00,123 INFO  [io.tas.aws.IngestService] (main) } and the newline. */
    static final int LINE_OVERHEAD_BYTES = 62;

    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong lines = new AtomicLong();
    private final Level[] consoleLevels;
    private final Handler[] console;
    private boolean stopped;

    private LogVolume() {
        Logger root = Logger.getLogger("");
        console = root.getHandlers();
        consoleLevels = new Level[console.length];
        for (int i = 0; i < console.length; i++) {
            consoleLevels[i] = console[i].getLevel();
            console[i].setLevel(Level.WARNING);
        }
        setLevel(Level.INFO);
    }

    static LogVolume install() {
        LogVolume v = new LogVolume();
        Logger.getLogger("io.taskmeter").addHandler(v);
        return v;
    }

    @Override
    public void publish(LogRecord record) {
        String name = record.getLoggerName();
        if (name == null || name.startsWith("io.taskmeter.local") || !isLoggable(record)) {
            return;
        }
        String message = record.getMessage();
        if (record.getParameters() != null && record.getParameters().length > 0) {
            message = java.text.MessageFormat.format(message, record.getParameters());
        }
        long n = LINE_OVERHEAD_BYTES + message.getBytes(StandardCharsets.UTF_8).length;
        if (record.getThrown() != null) {
            n += 2_000; // a stack trace, roughly
        }
        bytes.addAndGet(n);
        lines.incrementAndGet();
    }

    long bytes() {
        return bytes.get();
    }

    long lines() {
        return lines.get();
    }

    synchronized void stop() {
        if (stopped) {
            return;
        }
        stopped = true;
        Logger.getLogger("io.taskmeter").removeHandler(this);
        for (int i = 0; i < console.length; i++) {
            console[i].setLevel(consoleLevels[i]);
        }
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        stop();
    }
}

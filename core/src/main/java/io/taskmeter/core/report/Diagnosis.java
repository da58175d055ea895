package io.taskmeter.core.report;

import java.util.List;
import java.util.Map;

/**
 * What limited an attempt, with the evidence and what to change.
 *
 * @param primary     "cpu-bound", "io-bound", "memory-bound", "contended" (the host was oversubscribed while it ran:
 *                    CPU or I/O pressure, steal, run queue), "idle" (waiting on something outside the tree) or
 *                    "mixed"
 * @param signals     the figures the verdict rests on: busy/idle/disk-wait fractions of the attempt's time, I/O
 *                    rates, memory against its allocation, subprocesses per minute
 */
public record Diagnosis(String primary, List<String> evidence, List<String> suggestions, Map<String, Double> signals) {
}

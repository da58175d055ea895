package io.taskmeter.aws;

/**
 * The three DynamoDB tables (docs/data-model.md): raw usage per unit and batch, attempts with their
 * contributions, and the computed insights the API serves.
 */
public record TableNames(String usage, String attempts, String insights) {
    public static TableNames defaults() {
        return new TableNames("taskmeter-usage", "taskmeter-attempts", "taskmeter-insights");
    }
}

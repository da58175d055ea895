package io.taskmeter.aws;

/** Where stall alerts go: SNS when deployed, the console in the local mode. */
public interface AlertPublisher {
    void publish(String subject, String jsonBody);
}

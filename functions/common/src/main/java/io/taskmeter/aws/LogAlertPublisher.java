package io.taskmeter.aws;

import java.util.logging.Logger;

/** Alerts as log lines: the local mode's console, or a deployment without a topic. */
public final class LogAlertPublisher implements AlertPublisher {
    private static final Logger LOG = Logger.getLogger("taskmeter.alerts");

    @Override
    public void publish(String subject, String jsonBody) {
        LOG.warning(subject + " " + jsonBody);
    }
}

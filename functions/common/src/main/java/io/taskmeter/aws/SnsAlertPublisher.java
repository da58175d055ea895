package io.taskmeter.aws;

import software.amazon.awssdk.services.sns.SnsClient;

/** One SNS message per alert or recovery; the topic fans out to e-mail, chat or paging. */
public final class SnsAlertPublisher implements AlertPublisher {
    private final SnsClient sns;
    private final String topicArn;

    public SnsAlertPublisher(SnsClient sns, String topicArn) {
        this.sns = sns;
        this.topicArn = topicArn;
    }

    @Override
    public void publish(String subject, String jsonBody) {
        sns.publish(b -> b.topicArn(topicArn).subject(subject).message(jsonBody));
    }
}

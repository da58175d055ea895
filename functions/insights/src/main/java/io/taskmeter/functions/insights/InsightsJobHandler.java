package io.taskmeter.functions.insights;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import io.taskmeter.aws.Services;
import io.taskmeter.core.report.Insights;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import jakarta.inject.Singleton;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** EventBridge schedule → recommendations and costs for every task and attempt. The event's content is unused. */
@Singleton
@Named("insights-job")
public class InsightsJobHandler implements RequestStreamHandler {
    private final Services services;

    @Inject
    public InsightsJobHandler(Services services) {
        this.services = services;
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        Insights result = services.insightsJob().run(System.currentTimeMillis());
        output.write(("{\"attempts\":" + result.attempts().size() + ",\"tasks\":" + result.tasks().size() + "}")
                .getBytes(StandardCharsets.UTF_8));
    }
}

package io.taskmeter.functions.insights;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import io.taskmeter.aws.EventHandling;
import io.taskmeter.aws.LambdaEvents;
import io.taskmeter.aws.Services;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import jakarta.inject.Singleton;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * API Gateway HTTP API (payload 2.0, IAM-authorised) → the insights API. Selected in Lambda with
 * QUARKUS_LAMBDA_HANDLER=insights-api; the same zip serves the job.
 */
@Singleton
@Named("insights-api")
public class InsightsApiHandler implements RequestStreamHandler {
    private final Services services;

    @Inject
    public InsightsApiHandler(Services services) {
        this.services = services;
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        output.write(EventHandling.api(services.insightsApi(), LambdaEvents.read(input)));
    }
}

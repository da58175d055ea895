package io.taskmeter.functions.ingest;

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
 * SQS messages carrying S3 notifications for batches/ and metadata/ (or a plain S3 event) → usage per unit and
 * batch, and orchestrator records.
 */
@Singleton
@Named("ingest")
public class IngestHandler implements RequestStreamHandler {
    private final Services services;

    @Inject
    public IngestHandler(Services services) {
        this.services = services;
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        output.write(EventHandling.ingest(services.ingest(), LambdaEvents.read(input)));
    }
}

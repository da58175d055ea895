package io.taskmeter.functions.attribute;

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

/** DynamoDB stream of the usage table (keys only) → attempt usage, with a partial batch response. */
@Singleton
@Named("attribute")
public class AttributeHandler implements RequestStreamHandler {
    private final Services services;

    @Inject
    public AttributeHandler(Services services) {
        this.services = services;
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        output.write(EventHandling.attribute(services.attribute(), LambdaEvents.read(input)));
    }
}

package io.taskmeter.functions.insights;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import io.taskmeter.aws.InsightsJob;
import io.taskmeter.aws.LambdaEvents;
import io.taskmeter.aws.Services;
import io.taskmeter.aws.WeeklyReportJob;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import jakarta.inject.Singleton;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * EventBridge schedules → recommendations and costs for every task and attempt, and hosts gone silent with
 * tasks still running (run it every few minutes for that), and the weekly report when the schedule's input is
 * {@code {"report":"weekly"}}.
 */
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
        long now = System.currentTimeMillis();
        String out;
        if ("weekly".equals(LambdaEvents.read(input).path("report").asText())) {
            WeeklyReportJob.Written written = services.weeklyReport().run(now);
            out = "{\"attempts\":" + written.report().attempts().size() + ",\"report\":\""
                    + written.files().keySet().iterator().next() + "\"}";
        } else {
            InsightsJob.Result result = services.insightsJob().run(now);
            List<String> silent = services.hostSilence().check(result, now);
            out = "{\"attempts\":" + result.attempts() + ",\"tasks\":" + result.tasks().size()
                    + ",\"silent_hosts\":" + silent.size() + "}";
        }
        output.write(out.getBytes(StandardCharsets.UTF_8));
    }
}

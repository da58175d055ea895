package io.taskmeter.bench.pipeline;

import io.taskmeter.aws.LambdaEvents;
import io.taskmeter.aws.Provisioning;
import io.taskmeter.aws.Services;
import io.taskmeter.aws.TableNames;
import io.taskmeter.core.batch.Batch;
import io.taskmeter.core.batch.BatchCodec;
import io.taskmeter.core.batch.BatchKey;
import io.taskmeter.core.batch.UnitSeries;
import io.taskmeter.core.cost.PriceTable;
import io.taskmeter.core.rightsizing.RightsizingSettings;
import io.taskmeter.testkit.AwsClients;
import io.taskmeter.testkit.EmbeddedDynamo;
import io.taskmeter.testkit.EmbeddedS3;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Cold start of each packaged function, as Lambda starts it: the Quarkus runner jar of function.zip with
 * {@code AWS_LAMBDA_RUNTIME_API} pointing at {@link RuntimeApiEmulator}, its clients at
 * S3Proxy and DynamoDB Local started here. Per run: process start to the first {@code GET next} (init: what
 * SnapStart snapshots and restores instead), first {@code GET next} to its response (the first invocation, which
 * SnapStart does not save), and the second invocation (warm). Medians of the repetitions, per JVM variant.
 *
 * <p>The function runs as the managed Java runtime runs it (AWS's runtime interface client, see {@link #launch}).
 * {@code java -cp taskmeter-bench-pipeline.jar io.taskmeter.bench.pipeline.ColdStartBench [reps] [repo dir]}
 */
public final class ColdStartBench {
    static final String BUCKET = "taskmeter-bench";
    static final String JDK25 = "/usr/lib/jvm/temurin-25-jdk-amd64/bin/java";
    static final long ANSWER_TIMEOUT_MS = 60_000;
    static final long SECOND_TIMEOUT_MS = 20_000;
    static final Map<String, Integer> secondMissing = new LinkedHashMap<>();
    static final List<String> FUNCTIONS = List.of("ingest", "attribute", "insights-job", "insights-api");

    record Variant(String name, String java, List<String> flags, boolean trains) {
    }

    record Run(double initMs, double firstMs, double secondMs) {
    }

    public static void main(String[] args) throws Exception {
        int reps = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        Path repo = Path.of(args.length > 1 ? args[1] : ".").toAbsolutePath();
        List<String> functions = args.length > 2 ? List.of(args[2].split(",")) : FUNCTIONS;
        String only = args.length > 3 ? args[3] : null;
        Path work = Files.createTempDirectory("taskmeter-coldstart");
        List<Variant> variants = new ArrayList<>(List.of(
                new Variant("jdk17", "java", List.of(), false),
                new Variant("jdk17 C1 only", "java", List.of("-XX:TieredStopAtLevel=1"), false),
                new Variant("jdk17 AppCDS", "java", List.of("-XX:SharedArchiveFile=" + work + "/%s-17.jsa"), true),
                new Variant("jdk17 AppCDS + C1", "java", List.of("-XX:SharedArchiveFile=" + work + "/%s-17.jsa",
                        "-XX:TieredStopAtLevel=1"), false)));
        if (Files.isExecutable(Path.of(JDK25))) {
            variants.add(new Variant("jdk25", JDK25, List.of(), false));
            variants.add(new Variant("jdk25 AutoCreateSharedArchive", JDK25, List.of("-XX:+AutoCreateSharedArchive",
                    "-XX:SharedArchiveFile=" + work + "/%s-25.jsa"), true));
        }
        if (only != null) {
            variants.removeIf(v -> !List.of(only.split(",")).contains(v.name()));
        }
        try (EmbeddedDynamo dynamo = EmbeddedDynamo.inMemory(); EmbeddedS3 s3Server = EmbeddedS3.inMemory();
             DynamoDbClient ddb = AwsClients.dynamo(dynamo.endpoint()); S3Client s3 = s3(s3Server.endpoint());
             RuntimeApiEmulator api = new RuntimeApiEmulator()) {
            TableNames tables = TableNames.defaults();
            Provisioning.createTables(ddb, tables);
            Provisioning.createBucket(s3, BUCKET);
            Services services = new Services(ddb, s3, tables, PriceTable.builtIn(), RightsizingSettings.defaults());
            Events events = new Events(work.resolve("batches"), s3, services);
            Map<String, String> env = new LinkedHashMap<>();
            env.put("AWS_LAMBDA_RUNTIME_API", api.address());
            env.put("AWS_REGION", "us-east-1");
            env.put("AWS_ACCESS_KEY_ID", "taskmeter");
            env.put("AWS_SECRET_ACCESS_KEY", "taskmeter-local");
            env.put("AWS_EC2_METADATA_DISABLED", "true");
            env.put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "1024");
            env.put("TASKMETER_AWS_DYNAMODB_ENDPOINT", dynamo.endpoint().toString());
            env.put("TASKMETER_AWS_S3_ENDPOINT", s3Server.endpoint().toString());
            env.put("TASKMETER_BUCKET", BUCKET);

            System.out.printf("bare JVM (java -version): jdk17 %.0f ms%s%n", bareJvm("java"),
                    Files.isExecutable(Path.of(JDK25)) ? String.format(", jdk25 %.0f ms", bareJvm(JDK25)) : "");
            Map<String, long[]> classes = new LinkedHashMap<>();
            Map<String, Integer> stuckRuns = new LinkedHashMap<>();
            for (String f : functions) {
                try {
                    classes.put(f, classCounts(repo, f, env, api, events));
                } catch (IllegalStateException e) {
                    System.out.println("class count of " + f + " failed: " + e.getMessage());
                }
            }
            System.out.printf("%n| function | JVM | init: start → first GET next (ms) | first invocation (ms) | "
                    + "second invocation (ms) | cold without SnapStart (ms) |%n| --- | --- | ---: | ---: | ---: | ---: |%n");
            for (String f : functions) {
                for (Variant v : variants) {
                    List<Run> runs = new ArrayList<>();
                    try {
                        if (v.trains()) {
                            once(repo, f, v, env, api, events, true); // writes the archive; not counted
                        }
                        int stuck = 0;
                        while (runs.size() < reps) {
                            try {
                                runs.add(once(repo, f, v, env, api, events, false));
                            } catch (IllegalStateException e) {
                                // An invocation that never answers: counted, reported, repeated.
                                if (++stuck > 2) {
                                    throw e;
                                }
                                stuckRuns.merge(f + " " + v.name(), 1, Integer::sum);
                            }
                        }
                    } catch (IllegalStateException e) {
                        System.out.printf("| %s | %s | failed: %s |%n", f, v.name(), e.getMessage());
                        continue;
                    }
                    double init = median(runs.stream().mapToDouble(Run::initMs).toArray());
                    double first = median(runs.stream().mapToDouble(Run::firstMs).toArray());
                    double second = median(runs.stream().mapToDouble(Run::secondMs).filter(d -> !Double.isNaN(d))
                            .toArray());
                    System.out.printf("| %s | %s | %.0f | %.0f | %.1f | %.0f |%n", f, v.name(), init, first, second,
                            median(runs.stream().mapToDouble(r -> r.initMs() + r.firstMs()).toArray()));
                }
            }
            secondMissing.forEach((k, n) -> System.out.printf("%s: the second invocation of %d run(s) did not "
                    + "answer within %d s (its median is of the others)%n", k, n, SECOND_TIMEOUT_MS / 1000));
            stuckRuns.forEach((k, n) -> System.out.printf("%s: %d run(s) did not answer within %d s, stopped and "
                    + "repeated%n", k, n, ANSWER_TIMEOUT_MS / 1000));
            System.out.printf("%nClasses loaded (jdk17, -Xlog:class+load, one run each):%n| function | by the first "
                    + "GET next | during the first invocation | during the second |%n| --- | ---: | ---: | ---: |%n");
            classes.forEach((f, c) -> System.out.printf("| %s | %d | %d | %d |%n", f, c[0], c[1], c[2]));
        }
    }

    /** One function instance: start, two invocations, stop. */
    static Run once(Path repo, String function, Variant v, Map<String, String> env, RuntimeApiEmulator api,
                    Events events, boolean training) throws Exception {
        api.reset(events.two(function));
        List<String> cmd = new ArrayList<>(List.of(v.java()));
        for (String flag : v.flags()) {
            cmd.add(flag.replace("%s", function));
        }
        if (training && v.name().startsWith("jdk17")) {
            cmd.removeIf(c -> c.startsWith("-XX:SharedArchiveFile"));
            cmd.add("-XX:ArchiveClassesAtExit=" + v.flags().get(0).substring("-XX:SharedArchiveFile=".length())
                    .replace("%s", function));
        }
        cmd.add("-XX:MaxRAM=1g");
        cmd.addAll(launch(repo, function));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(repo.resolve("bench-pipeline/target/coldstart-" + function + ".log").toFile());
        pb.environment().putAll(env);
        pb.environment().put("QUARKUS_LAMBDA_HANDLER", function);
        long t0 = System.nanoTime();
        Process p = pb.start();
        try {
            if (!api.awaitResponses(1, ANSWER_TIMEOUT_MS)) {
                throw new IllegalStateException(function + " (" + v.name() + ") did not answer: " + api.calls()
                        + "; see bench-pipeline/target/coldstart-" + function + ".log");
            }
            // Should the second invocation never answer, the run still counts for init and the first one.
            api.awaitResponses(2, SECOND_TIMEOUT_MS);
        } finally {
            if (training) {
                p.destroy(); // SIGTERM: a normal exit, so the JVM writes its class archive
                p.waitFor();
            } else {
                p.destroyForcibly().waitFor();
            }
        }
        List<RuntimeApiEmulator.Call> calls = api.calls();
        for (RuntimeApiEmulator.Call c : calls) {
            if (!c.what().equals("next") && !c.what().equals("response")) {
                throw new IllegalStateException(function + " answered " + c.what() + ": " + c.body());
            }
            if (c.what().equals("response") && c.body().contains("batchItemFailures\":[{")) {
                throw new IllegalStateException(function + " reported failures: " + c.body());
            }
        }
        long get1 = calls.get(0).nanos();
        long res1 = calls.get(1).nanos();
        if (calls.size() < 4) {
            secondMissing.merge(function + " " + v.name(), 1, Integer::sum);
            return new Run((get1 - t0) / 1e6, (res1 - get1) / 1e6, Double.NaN);
        }
        long get2 = calls.get(2).nanos();
        long res2 = calls.get(3).nanos();
        return new Run((get1 - t0) / 1e6, (res1 - get1) / 1e6, (res2 - get2) / 1e6);
    }

    /** Classes loaded by init, by the first and by the second invocation, from the JVM's own class-load log. */
    static long[] classCounts(Path repo, String function, Map<String, String> env, RuntimeApiEmulator api,
                              Events events) throws Exception {
        api.reset(events.two(function));
        AtomicLong loaded = new AtomicLong();
        List<Long> atCall = new ArrayList<>();
        api.onCall(() -> {
            synchronized (atCall) {
                atCall.add(loaded.get());
            }
        });
        List<String> cmd = new ArrayList<>(List.of("java", "-Xlog:class+load:stdout", "-XX:MaxRAM=1g"));
        cmd.addAll(launch(repo, function));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putAll(env);
        pb.environment().put("QUARKUS_LAMBDA_HANDLER", function);
        Process p = pb.start();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    if (line.contains("[class,load]")) {
                        loaded.incrementAndGet();
                    } else {
                        System.err.println(function + ": " + line);
                    }
                }
            } catch (java.io.IOException ignored) {
                // the process was stopped
            }
        });
        reader.setDaemon(true);
        reader.start();
        try {
            if (!api.awaitResponses(2, ANSWER_TIMEOUT_MS)) {
                throw new IllegalStateException(function + " did not answer twice: " + api.calls());
            }
        } finally {
            p.destroyForcibly().waitFor();
            api.onCall(() -> { });
        }
        for (RuntimeApiEmulator.Call c : api.calls()) {
            if (!c.what().equals("next") && !c.what().equals("response")) {
                throw new IllegalStateException(function + " answered " + c.what() + ": " + c.body());
            }
        }
        synchronized (atCall) {
            // calls: next, response, next, response
            return new long[] {atCall.get(0), atCall.get(1) - atCall.get(0), atCall.get(3) - atCall.get(2)};
        }
    }

    /** Like testkit's client, without "Expect: 100-continue", which UrlConnection and S3Proxy get wrong now and then. */
    static S3Client s3(java.net.URI endpoint) {
        return S3Client.builder().endpointOverride(endpoint).region(software.amazon.awssdk.regions.Region.US_EAST_1)
                .forcePathStyle(true).httpClient(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.create())
                .credentialsProvider(software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
                        software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create("taskmeter", "local")))
                .overrideConfiguration(c -> c.addExecutionInterceptor(new io.taskmeter.aws.NoExpectContinue())).build();
    }

    static double bareJvm(String java) throws Exception {
        double[] ms = new double[5];
        for (int i = 0; i < ms.length; i++) {
            long t0 = System.nanoTime();
            new ProcessBuilder(java, "-version").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        return median(ms);
    }

    /**
     * The class path and main class of the managed Java runtime: the function's jar (its manifest names lib/) and
     * AWS's runtime interface client, which loads the handler class (Quarkus boots in its static initializer: the
     * init phase SnapStart snapshots), then polls the Runtime API.
     */
    static List<String> launch(Path repo, String function) {
        Path ric = repo.resolve("bench-pipeline/target/lambda-runtime");
        if (!Files.isDirectory(ric)) {
            throw new IllegalStateException(ric + " is missing: build with -Pbench");
        }
        return List.of("-cp", jar(repo, function) + java.io.File.pathSeparator + ric + "/*",
                "com.amazonaws.services.lambda.runtime.api.client.AWSLambda",
                "io.quarkus.amazon.lambda.runtime.QuarkusStreamHandler::handleRequest");
    }

    static Path jar(Path repo, String function) {
        String module = function.startsWith("insights") ? "insights" : function;
        Path jar = repo.resolve("functions/" + module + "/target/taskmeter-function-" + module
                + "-0.1.0-SNAPSHOT-runner.jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " is missing: build the functions first (./mvnw -B -DskipTests "
                    + "package -pl functions/ingest,functions/attribute,functions/insights -am)");
        }
        return jar;
    }

    static double median(double[] v) {
        if (v.length == 0) {
            return Double.NaN;
        }
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    /** The events Lambda would send each function, each invocation on new data so none is a no-op duplicate. */
    static final class Events {
        private final List<String> keys = new ArrayList<>();
        private final List<Batch> batches = new ArrayList<>();
        private int nextIngest;
        private int nextAttribute;
        private int firstAttribute;

        Events(Path dir, S3Client s3, Services services) throws Exception {
            // Realistic batches (20 task trees, 500 processes, 60 one-second samples), as the throughput bench makes.
            PipelineThroughputBench.generate(dir, 2, 60);
            for (Path f : PipelineThroughputBench.files(dir)) {
                byte[] gz = Files.readAllBytes(f);
                Batch batch = BatchCodec.decode(gz);
                String key = BatchKey.of("", batch).key();
                s3.putObject(b -> b.bucket(BUCKET).key(key), RequestBody.fromBytes(gz));
                keys.add(key);
                batches.add(batch);
            }
            // Attribute reads what ingest stored: the second half is ingested here, the first half is left to the
            // ingest runs. The API reads what the job computed.
            for (int i = keys.size() / 2; i < keys.size(); i++) {
                services.ingest().ingest(BUCKET, keys.get(i));
            }
            int attributedHere = 5;
            for (int i = keys.size() / 2; i < keys.size() / 2 + attributedHere; i++) {
                for (UnitSeries u : batches.get(i).units()) {
                    services.attribute().attribute(io.taskmeter.aws.UsageStore.unitKey(u.unitId()),
                            "B#" + batches.get(i).batchId());
                }
            }
            firstAttribute = keys.size() / 2 + attributedHere;
            nextAttribute = firstAttribute;
            services.insightsJob().run(System.currentTimeMillis());
        }

        List<byte[]> two(String function) {
            return List.of(one(function), one(function));
        }

        private byte[] one(String function) {
            switch (function) {
                case "ingest": {
                    String key = keys.get(nextIngest++ % (keys.size() / 2));
                    return LambdaEvents.sqsWrapped(List.of(LambdaEvents.s3Event(BUCKET, key, 0)));
                }
                case "attribute": {
                    int i = nextAttribute++;
                    if (nextAttribute == keys.size()) {
                        nextAttribute = firstAttribute;
                    }
                    Batch b = batches.get(i);
                    List<LambdaEvents.StreamKey> stream = new ArrayList<>();
                    int seq = 0;
                    for (UnitSeries u : b.units()) {
                        stream.add(new LambdaEvents.StreamKey(Long.toString(1_000_000L * i + seq++), "INSERT",
                                io.taskmeter.aws.UsageStore.unitKey(u.unitId()), "B#" + b.batchId()));
                    }
                    return LambdaEvents.streamEvent(stream);
                }
                case "insights-job":
                    return ("{\"version\":\"0\",\"id\":\"bench\",\"detail-type\":\"Scheduled Event\","
                            + "\"source\":\"aws.events\",\"detail\":{}}").getBytes(StandardCharsets.UTF_8);
                case "insights-api":
                    return ("{\"version\":\"2.0\",\"rawPath\":\"/v1/tasks\",\"rawQueryString\":\"\","
                            + "\"requestContext\":{\"http\":{\"method\":\"GET\",\"path\":\"/v1/tasks\"}}}")
                            .getBytes(StandardCharsets.UTF_8);
                default:
                    throw new IllegalArgumentException(function);
            }
        }
    }

    private ColdStartBench() {
    }
}

package io.taskmeter.shipper;

import io.taskmeter.core.batch.Batch;
import io.taskmeter.core.batch.BatchCodec;
import io.taskmeter.core.batch.UnitSeries;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/** Helpers shared by the shipper tests: work directories under target/, configs, decoding what was shipped. */
final class TestSupport {
    /** Under target/, not /tmp: /tmp may be tmpfs, where block-layer write_bytes stays 0. */
    static final Path WORK = Path.of("target", "shipper-test").toAbsolutePath();

    private TestSupport() {
    }

    static Path newDir() throws IOException {
        return Files.createDirectories(WORK.resolve(UUID.randomUUID().toString()));
    }

    static ShipperConfig.Builder config(Path dir, long intervalMs, long batchMs) {
        return ShipperConfig.builder().interval(Duration.ofMillis(intervalMs)).batchEvery(Duration.ofMillis(batchMs))
                .sink(URI.create("file://" + dir.resolve("sink"))).hostId("test-host").spoolDir(dir.resolve("spool"))
                .instanceType("m5.large");
    }

    /** Every batch under {@code dir} (any depth), decoded with the real codec, in seq order. */
    static List<Batch> batches(Path dir) throws Exception {
        List<Batch> out = new ArrayList<>();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.filter(x -> x.toString().endsWith(".json.gz")).toList()) {
                out.add(BatchCodec.decode(Files.readAllBytes(f)));
            }
        }
        out.sort(Comparator.comparingLong(Batch::seq));
        return out;
    }

    static List<UnitSeries> units(List<Batch> batches, Predicate<UnitSeries> which) {
        List<UnitSeries> out = new ArrayList<>();
        for (Batch b : batches) {
            b.units().stream().filter(which).forEach(out::add);
        }
        return out;
    }

    /** Every byte of every file under {@code dir}, gunzipped where gzipped, as ISO-8859-1 text. */
    static List<String> contents(Path dir) throws IOException {
        List<String> out = new ArrayList<>();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                byte[] bytes = Files.readAllBytes(f);
                out.add(new String(bytes, StandardCharsets.ISO_8859_1));
                if (bytes.length > 2 && (bytes[0] & 0xff) == 0x1f && (bytes[1] & 0xff) == 0x8b) {
                    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
                        out.add(new String(in.readAllBytes(), StandardCharsets.ISO_8859_1));
                    }
                }
            }
        }
        return out;
    }

    static Process start(String script, String... env) throws IOException {
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", script).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        for (int i = 0; i + 1 < env.length; i += 2) {
            pb.environment().put(env[i], env[i + 1]);
        }
        return pb.start();
    }

    /** A port nothing listens on: an S3 endpoint that is down. */
    static int closedPort() throws IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    interface Condition {
        boolean holds() throws Exception;
    }

    /** Waits for a condition, not a duration: the machine may be loaded. Fails after a minute. */
    static void await(Condition c, String what) throws Exception {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!c.holds()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("gave up waiting: " + what);
            }
            Thread.sleep(50);
        }
    }

    static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}

package io.taskmeter.core.batch;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Input the fuzzer of functions/common found getting past the reader: each must be a BatchFormatException (so
 * ingest quarantines it), never another exception (which would retry the message forever) nor an accepted batch.
 */
class BatchLimitsTest {
    private static void rejected(String json, String because) {
        BatchFormatException e = assertThrows(BatchFormatException.class, () -> BatchCodec.decode(gzip(json)));
        assertTrue(e.getMessage().contains(because), e.getMessage());
    }

    private static String json(Batch b) {
        try (var in = new GZIPInputStream(new java.io.ByteArrayInputStream(BatchCodec.encode(b)))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void aMajorVersionTooLargeForAnIntIsRejectedNotThrown() {
        rejected(json(BatchCodecTest.sampleBatch()).replace("\"version\":\"" + Batch.VERSION + "\"", "\"version\":\"99999999999.0\""),
                "not MAJOR.MINOR");
    }

    @Test
    void theParserLimitsAreInForce() {
        String ok = json(BatchCodecTest.sampleBatch());
        rejected(ok.substring(0, ok.length() - 1) + ",\"x\":" + "[".repeat(100) + "]".repeat(100) + "}", "nesting depth");
        rejected(ok.replace("\"os\":\"Linux\"", "\"os\":\"" + "x".repeat(2 << 20) + "\""), "String value length");
    }

    @Test
    void aBatchFromFarInTheFutureIsRejected() {
        Batch b = BatchCodecTest.sampleBatch();
        long shift = 50L * 365 * 86_400_000L;
        String json = json(b);
        for (long t : new long[] {b.startMs(), b.startMs() + 1000, b.startMs() + 2000, b.startMs() - 500}) {
            json = json.replace(Long.toString(t), Long.toString(t + shift));
        }
        rejected(json, "more than 24 h after the time of reading");
    }

    @Test
    void absurdIoCountersAreRejected() {
        rejected(json(BatchCodecTest.sampleBatch()).replace("\"read_bytes\":8192", "\"read_bytes\":4611686018427387904"),
                "moves more bytes than any device");
    }

    @Test
    void whatCannotFitOneStoredItemIsRejected() {
        Batch b = BatchCodecTest.sampleBatch();
        UnitSeries u = b.units().get(0);
        List<Sample> many = new ArrayList<>();
        for (int i = 1; i <= 20_000; i++) {
            many.add(new Sample(b.startMs() + i * 1000L, i, 1, 1, 0, 0, 0, 0, 1, 1, 0, 0));
        }
        rejected(json(with(b, new UnitSeries(u.unitId(), u.rootPid(), u.rootStartTicks(), u.startedMs(), null,
                u.kind(), u.how(), u.tags(), u.command(), u.base(), many, false), b.startMs() + 20_000_000L)),
                "samples, more than");
        Map<String, String> tags = new HashMap<>();
        for (int i = 0; i < 1000; i++) {
            tags.put("k" + i, "v");
        }
        rejected(json(with(b, new UnitSeries(u.unitId(), u.rootPid(), u.rootStartTicks(), u.startedMs(), null,
                u.kind(), u.how(), tags, u.command(), u.base(), u.samples(), false), b.endMs())), "tags, more than");
        rejected(json(with(b, new UnitSeries(u.unitId(), u.rootPid(), u.rootStartTicks(), u.startedMs(), null,
                u.kind(), u.how(), u.tags(), "z".repeat(600_000), u.base(), u.samples(), false), b.endMs())),
                "command longer than");
    }

    private static Batch with(Batch b, UnitSeries u, long endMs) {
        return new Batch(b.format(), b.version(), b.hostId(), b.bootId(), b.shipperVersion(), b.seq(), b.startMs(),
                endMs, b.intervalMs(), b.host(), b.droppedBatches(), List.of(u));
    }

    private static byte[] gzip(String s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(s.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}

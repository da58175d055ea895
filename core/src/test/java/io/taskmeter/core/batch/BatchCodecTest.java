package io.taskmeter.core.batch;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BatchCodecTest {
    static final long T0 = 1_763_800_000_000L;

    static Batch sampleBatch() {
        Sample base = Sample.zeroAt(T0);
        List<Sample> samples = List.of(
                new Sample(T0 + 1000, 900, 50_000_000, 52_000_000, 0, 4096, 10_000, 20_000, 3, 5, 1, 0),
                new Sample(T0 + 2000, 1850, 60_000_000, 61_000_000, 8192, 1_000_000, 20_000, 1_100_000, 2, 6, 1, 1));
        UnitSeries unit = new UnitSeries("boot-1/4242/123456", 4242, 123456, T0 - 500, null, "airflow", "title",
                Map.of("dag_id", "etl", "task_id", "extract", "run_id", "manual__2026-11-22T10:00:00+00:00"),
                "airflow task runner: etl extract manual__2026 7", base, samples, false);
        return new Batch(Batch.FORMAT, Batch.VERSION, "host-a", "boot-1", "0.1.0", 7, T0, T0 + 2000, 1000,
                new HostInfo(2, 8L << 30, "m5.large", "config", "Linux"), 0, List.of(unit));
    }

    @Test
    void roundTripKeepsEveryField() throws Exception {
        Batch batch = sampleBatch();
        byte[] bytes = BatchCodec.encode(batch);
        assertEquals(0x1f, bytes[0] & 0xff, "gzip magic");
        Batch back = BatchCodec.decode(bytes);
        assertEquals(batch, back);
        assertEquals("host-a/boot-1/7", back.batchId());
    }

    @Test
    void rejectsUnknownMajorVersion() {
        String json = new String(gunzipToString(BatchCodec.encode(sampleBatch())))
                .replace("\"version\":\"" + Batch.VERSION + "\"", "\"version\":\"2.0\"");
        BatchFormatException e = assertThrows(BatchFormatException.class, () -> BatchCodec.decode(gzip(json)));
        assertTrue(e.getMessage().contains("unsupported major version 2"), e.getMessage());
    }

    @Test
    void acceptsNewerMinorVersionWithUnknownFields() throws Exception {
        String json = gunzipToString(BatchCodec.encode(sampleBatch()))
                .replace("\"version\":\"" + Batch.VERSION + "\"", "\"version\":\"1.7\",\"some_future_field\":[1,2]");
        assertEquals(7, BatchCodec.decode(gzip(json)).seq());
    }

    @Test
    void rejectsTruncatedFile() {
        byte[] bytes = BatchCodec.encode(sampleBatch());
        byte[] cut = Arrays.copyOf(bytes, bytes.length / 2);
        BatchFormatException e = assertThrows(BatchFormatException.class, () -> BatchCodec.decode(cut));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void rejectsNonGzipAndNonJson() {
        assertTrue(assertThrows(BatchFormatException.class,
                () -> BatchCodec.decode("{}".getBytes(StandardCharsets.UTF_8))).getMessage().contains("not gzip"));
        assertTrue(assertThrows(BatchFormatException.class,
                () -> BatchCodec.decode(gzip("{\"format\":"))).getMessage().contains("JSON"));
    }

    @Test
    void rejectsCountersThatGoBackwards() {
        String json = gunzipToString(BatchCodec.encode(sampleBatch())).replace("\"cpu_millis\":1850", "\"cpu_millis\":100");
        BatchFormatException e = assertThrows(BatchFormatException.class, () -> BatchCodec.decode(gzip(json)));
        assertTrue(e.getMessage().contains("lower than the sample before"), e.getMessage());
    }

    @Test
    void rejectsMoreCpuThanTheHostHas() {
        String json = gunzipToString(BatchCodec.encode(sampleBatch())).replace("\"cpu_millis\":1850", "\"cpu_millis\":99999");
        BatchFormatException e = assertThrows(BatchFormatException.class, () -> BatchCodec.decode(gzip(json)));
        assertTrue(e.getMessage().contains("more CPU than the host has"), e.getMessage());
    }

    @Test
    void keyLayoutRoundTripsAndChecksTheBatch() throws Exception {
        Batch batch = sampleBatch();
        BatchKey key = BatchKey.of("tm/", batch);
        assertEquals("tm/batches/v1/dt=2025-11-22/host=host-a/boot-1-7.json.gz", key.key());
        assertEquals(key, BatchKey.parse(key.key()));
        key.check(batch);
        BatchKey other = BatchKey.parse("batches/v1/dt=2025-11-22/host=host-b/boot-1-7.json.gz");
        assertThrows(BatchFormatException.class, () -> other.check(batch));
        assertThrows(BatchFormatException.class, () -> BatchKey.parse("batches/v1/whatever.json"));
    }

    static byte[] gzip(String s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream g = new GZIPOutputStream(out)) {
            g.write(s.getBytes(StandardCharsets.UTF_8));
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        return out.toByteArray();
    }

    static String gunzipToString(byte[] gz) {
        try (var in = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(gz))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }
}

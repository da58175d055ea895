package io.taskmeter.core.batch;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Format 1.1 is additive: its fields round-trip, a 1.0 document still reads, and the new fields are checked. */
class BatchFormat11Test {
    static final long T0 = BatchCodecTest.T0;

    static HostSample host(long t, long busy) {
        return new HostSample(t, busy, 1000, 20, 5, 0.7, 3, 1, 4L << 30, 0,
                new Pressure(1000L, null, 0L, 0L, 200L, 100L),
                List.of(new DiskCounters("nvme0n1", 4096, 8192, 12)), List.of(new NetCounters("eth0", 100, 200)));
    }

    static Batch batch11() {
        Batch b = BatchCodecTest.sampleBatch();
        UnitSeries u = b.units().get(0);
        CgroupSample cg = new CgroupSample(1_850_000L, 0L, 60_000_000L, null, 8192L, 1_000_000L,
                new Pressure(10L, 5L, 0L, 0L, null, null));
        List<Sample> samples = List.of(
                new Sample(T0 + 1000, 900, 50_000_000, 52_000_000, 0, 4096, 10_000, 20_000, 3, 5, 1, 0,
                        900, 2000, 0, 10, 2, 40_000_000L, 1, null),
                new Sample(T0 + 2000, 1850, 60_000_000, 61_000_000, 8192, 1_000_000, 20_000, 1_100_000, 2, 6, 1, 1,
                        1800, 3500, 1000, 25, 4, null, 2, cg));
        UnitSeries u11 = new UnitSeries(u.unitId(), u.rootPid(), u.rootStartTicks(), u.startedMs(), u.endedMs(),
                u.kind(), u.how(), u.tags(), u.command(), u.base(), samples, false, "/kubepods/pod-1/c1",
                List.of(new TopProcess("python etl.py --password ***", 1500, 1), new TopProcess("gzip", 300, 4)));
        return new Batch(b.format(), Batch.VERSION, b.hostId(), b.bootId(), b.shipperVersion(), b.seq(), b.startMs(),
                b.endMs(), b.intervalMs(), b.host(), 0, List.of(u11),
                new HostSeries("host", host(T0, 100), List.of(host(T0 + 1000, 900), host(T0 + 2000, 1900))));
    }

    @Test
    void everyNewFieldRoundTrips() throws Exception {
        Batch b = batch11();
        assertEquals("1.1", b.version());
        assertEquals(b, BatchCodec.decode(BatchCodec.encode(b)));
    }

    @Test
    void aVersion10DocumentStillDecodesWithTheNewFieldsEmpty() throws Exception {
        // Written as a 1.0 shipper wrote it: no host_signals, no cgroup/top_processes, samples of 12 fields.
        String json = "{\"format\":\"taskmeter-batch\",\"version\":\"1.0\",\"host_id\":\"h\",\"boot_id\":\"b-1\","
                + "\"shipper_version\":\"0.1.0\",\"seq\":3,\"start_ms\":" + T0 + ",\"end_ms\":" + (T0 + 1000)
                + ",\"interval_ms\":1000,\"host\":{\"cpus\":2,\"memory_bytes\":1000000,\"instance_type\":null,"
                + "\"instance_type_source\":\"unknown\",\"os\":\"Linux\"},\"dropped_batches\":0,\"units\":[{"
                + "\"unit_id\":\"b-1/1/2\",\"root_pid\":1,\"root_start_ticks\":2,\"started_ms\":" + T0
                + ",\"ended_ms\":null,\"kind\":\"generic\",\"how\":\"env\",\"tags\":{},\"command\":\"x\","
                + "\"partial\":false,\"base\":{\"t\":" + T0 + ",\"cpu_millis\":0,\"rss_bytes\":0,\"hwm_bytes\":0,"
                + "\"read_bytes\":0,\"write_bytes\":0,\"rchar\":0,\"wchar\":0,\"processes\":0,\"spawned\":0,"
                + "\"running\":0,\"disk_wait\":0},\"samples\":[{\"t\":" + (T0 + 1000) + ",\"cpu_millis\":500,"
                + "\"rss_bytes\":10,\"hwm_bytes\":10,\"read_bytes\":0,\"write_bytes\":0,\"rchar\":0,\"wchar\":0,"
                + "\"processes\":1,\"spawned\":1,\"running\":1,\"disk_wait\":0}]}]}";
        Batch b = BatchCodec.decode(gzip(json));
        assertEquals("1.0", b.version());
        assertNull(b.hostSignals());
        UnitSeries u = b.units().get(0);
        assertNull(u.cgroup());
        assertEquals(List.of(), u.topProcesses());
        Sample s = u.samples().get(0);
        assertEquals(500, s.cpuMillis());
        assertEquals(0, s.runningMs());
        assertNull(s.pssBytes());
        assertNull(s.cgroup());
    }

    @Test
    void decreasingStateTimeOrSwitchesIsRejected() {
        String json = BatchCodecTest.gunzipToString(BatchCodec.encode(batch11()))
                .replace("\"voluntary_switches\":25", "\"voluntary_switches\":3");
        BatchFormatException e = assertThrows(BatchFormatException.class, () -> BatchCodec.decode(gzip(json)));
        assertTrue(e.getMessage().contains("cumulative counter lower"), e.getMessage());
    }

    @Test
    void tooManyTopProcessesOrNegativeHostFiguresAreRejected() {
        Batch b = batch11();
        UnitSeries u = b.units().get(0);
        List<TopProcess> six = java.util.Collections.nCopies(6, new TopProcess("x", 1, 1));
        Batch many = new Batch(b.format(), b.version(), b.hostId(), b.bootId(), b.shipperVersion(), b.seq(),
                b.startMs(), b.endMs(), b.intervalMs(), b.host(), 0, List.of(new UnitSeries(u.unitId(), u.rootPid(),
                u.rootStartTicks(), u.startedMs(), u.endedMs(), u.kind(), u.how(), u.tags(), u.command(), u.base(),
                u.samples(), false, null, six)), b.hostSignals());
        assertThrows(BatchFormatException.class, () -> BatchCodec.decode(BatchCodec.encode(many)));
        String json = BatchCodecTest.gunzipToString(BatchCodec.encode(b)).replace("\"cpu_steal_ms\":5",
                "\"cpu_steal_ms\":-5");
        BatchFormatException e = assertThrows(BatchFormatException.class, () -> BatchCodec.decode(gzip(json)));
        assertTrue(e.getMessage().contains("host_signals"), e.getMessage());
    }

    static byte[] gzip(String json) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream g = new GZIPOutputStream(out)) {
            g.write(json.getBytes(StandardCharsets.UTF_8));
        }
        return out.toByteArray();
    }
}

package io.taskmeter.shipper;

import io.taskmeter.core.batch.DiskCounters;
import io.taskmeter.core.batch.HostSample;
import io.taskmeter.core.batch.NetCounters;
import io.taskmeter.core.batch.Pressure;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Host signal parsers on text captured from real kernels, then a live read of this host. */
class HostSignalReaderTest {
    /** An EC2 host under steal (captured from a t3 instance running out of CPU credits). */
    static final String STAT = """
            cpu  4705 3 2783 76217 508 11 135 9041 0 0
            cpu0 2352 1 1391 38108 254 5 67 4520 0 0
            intr 1 2 3
            ctxt 12345
            btime 1764370000
            processes 98765
            procs_running 5
            procs_blocked 2
            """;

    @Test
    void cpuSplitsBusyIdleIowaitAndSteal() {
        // busy = user 4705 + nice 3 + system 2783 + irq 11 + softirq 135
        assertArrayEquals(new long[] {7637, 76217, 508, 9041}, HostSignalReader.cpuTicks(STAT));
        assertEquals(5, HostSignalReader.statLine(STAT, "procs_running"));
        assertEquals(2, HostSignalReader.statLine(STAT, "procs_blocked"));
    }

    @Test
    void loadMemoryAndSwap() {
        assertEquals(4.69, HostSignalReader.load1("4.69 2.64 1.19 1/629 26316\n"));
        long[] mem = HostSignalReader.memory("""
                MemTotal:        8000000 kB
                MemFree:          100000 kB
                MemAvailable:    2000000 kB
                SwapTotal:       1000000 kB
                SwapFree:         250000 kB
                """);
        assertArrayEquals(new long[] {2_000_000L * 1024, 750_000L * 1024}, mem);
    }

    @Test
    void pressureTotalsAndAbsentResources() {
        String cpu410 = "some avg10=31.50 avg60=20.00 avg300=8.08 total=61783328\n"; // no "full" line before 5.13
        String io = "some avg10=0.00 avg60=0.00 avg300=0.00 total=900\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=400\n";
        Pressure p = HostSignalReader.pressure(cpu410, null, io);
        assertEquals(61783328L, p.cpuSomeUs());
        assertNull(p.cpuFullUs(), "no full line: unknown, not zero");
        assertNull(p.memorySomeUs(), "no memory file");
        assertEquals(900L, p.ioSomeUs());
        assertEquals(400L, p.ioFullUs());
        assertNull(HostSignalReader.pressure(null, null, null), "a kernel without PSI");
    }

    @Test
    void wholeDisksInBytesAndInterfacesWithoutLoopback() {
        String diskstats = """
                   7       0 loop0 10 0 20 0 0 0 0 0 0 0 0 0 0 0 0 0 0
                 254       0 vda 3946 1474 406538 1474 2187 2025 97784 3126 0 3252 4600 0 0 0 0 0 0
                 254       1 vda1 3800 1474 400000 1400 2187 2025 97784 3126 0 3200 4526 0 0 0 0 0 0
                """;
        List<DiskCounters> disks = HostSignalReader.disks(diskstats, n -> n.equals("vda"));
        assertEquals(List.of(new DiskCounters("vda", 406538L * 512, 97784L * 512, 3252)), disks);
        String netDev = """
                Inter-|   Receive                                                |  Transmit
                 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
                    lo: 89178977   53919    0    0    0     0          0         0 89178977   53919    0    0    0     0       0          0
                  eth0: 344621670   10681    0    0    0     0          0         0  1331002    7649    0    0    0     0       0          0
                """;
        assertEquals(List.of(new NetCounters("eth0", 344621670, 1331002)), HostSignalReader.nets(netDev));
    }

    @Test
    void liveReadOfThisHostGrowsAndKnowsItsOwnPsi() throws Exception {
        ProcReader proc = new ProcReader();
        HostSignalReader reader = new HostSignalReader(proc);
        HostSample a = reader.sample(1);
        long end = System.nanoTime() + 300_000_000L;
        while (System.nanoTime() < end) {
            Math.sqrt(System.nanoTime()); // busy: host busy time must grow
        }
        HostSample b = reader.sample(2);
        assertTrue(b.cpuBusyMs() > a.cpuBusyMs(), "busy time grew while this test spun");
        assertTrue(b.runnable() >= 1, "this thread was running when /proc/stat was read");
        assertTrue(b.memAvailableBytes() > 0);
        if (Files.exists(Path.of("/proc/pressure/cpu"))) {
            assertNotNull(b.psi());
            assertNotNull(b.psi().cpuSomeUs());
            assertTrue(b.psi().cpuSomeUs() >= a.psi().cpuSomeUs());
        } else {
            assertNull(b.psi(), "no PSI on this kernel");
        }
        assertTrue(b.nets().stream().noneMatch(n -> n.name().equals("lo")));
    }
}

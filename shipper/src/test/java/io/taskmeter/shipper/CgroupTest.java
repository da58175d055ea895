package io.taskmeter.shipper;

import io.taskmeter.core.batch.CgroupSample;
import io.taskmeter.core.batch.UnitSeries;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** A unit whose root runs in a cgroup v2 of its own is measured from that cgroup's files too. */
class CgroupTest {
    @Test
    void parsersOnCapturedText() {
        String mountinfo = """
                24 1 0:22 / / rw,relatime - ext4 /dev/vda rw
                35 24 0:30 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate
                """;
        assertEquals(Path.of("/sys/fs/cgroup"), CgroupReader.cgroup2Mount(mountinfo));
        assertNull(CgroupReader.cgroup2Mount("24 1 0:22 / / rw - ext4 /dev/vda rw\n"), "a v1-only host");
        String cpuStat = "usage_usec 312733\nuser_usec 263749\nsystem_usec 48983\nnr_periods 10\n"
                + "nr_throttled 4\nthrottled_usec 91000\n";
        assertEquals(312733L, CgroupReader.keyed(cpuStat, "usage_usec"));
        assertEquals(91000L, CgroupReader.keyed(cpuStat, "throttled_usec"));
        assertNull(CgroupReader.keyed("usage_usec 1\n", "throttled_usec"), "no cpu controller: no throttling");
        String ioStat = "259:0 rbytes=1048576 wbytes=4096 rios=3 wios=1 dbytes=0 dios=0\n"
                + "8:0 rbytes=512 wbytes=0 rios=1 wios=0 dbytes=0 dios=0\n";
        assertEquals(1049088, CgroupReader.ioSum(ioStat, "rbytes="));
        assertEquals(4096, CgroupReader.ioSum(ioStat, "wbytes="));
        assertEquals(123456789L, CgroupReader.number("123456789\n"));
        assertNull(CgroupReader.number("max\n"));
    }

    @Test
    void aUnitInItsOwnCgroupCarriesTheCgroupsCounters() throws Exception {
        Path mount = CgroupReader.cgroup2Mount(Files.readString(Path.of("/proc/self/mountinfo")));
        assumeTrue(mount != null, "no cgroup v2 mounted here");
        String name = "taskmeter-test-" + UUID.randomUUID();
        Path cg = mount.resolve(name);
        try {
            Files.createDirectory(cg);
        } catch (Exception e) {
            assumeTrue(false, "cannot create a cgroup here (not root, or delegated elsewhere): " + e);
        }
        try {
            Path dir = TestSupport.newDir();
            // The root moves itself into the new cgroup, as a container runtime would place a container's init.
            String script = String.join("\n",
                    "echo $$ > '" + cg.resolve("cgroup.procs") + "'",
                    "i=0; while [ $i -lt 5 ]; do ( j=0; while [ $j -lt 40000 ]; do j=$((j+1)); done ); "
                            + "i=$((i+1)); done",
                    "sleep 0.75", "true");
            long before = AccuracyTest.ownChildTicks();
            List<UnitSeries> units = UnitDetailTest.run(dir, script, "contained");
            double truth = (AccuracyTest.ownChildTicks() - before) / (double) new ProcReader().hz();
            UnitSeries last = units.get(units.size() - 1);
            assertEquals("/" + name, last.cgroup(), "the unit is its cgroup");
            CgroupSample c = units.stream().flatMap(u -> u.samples().stream()).map(s -> s.cgroup())
                    .filter(java.util.Objects::nonNull).reduce((a, b) -> b).orElse(null);
            assertNotNull(c, "cgroup counters were sampled");
            System.out.printf("cgroup: cpu truth %.2f s, cgroup usage %.2f s; memory.peak %s; psi cpu some %s us%n",
                    truth, c.cpuUsageUs() / 1e6, c.memoryPeakBytes(), c.psi() == null ? null : c.psi().cpuSomeUs());
            assertEquals(truth, c.cpuUsageUs() / 1e6, truth * 0.03 + 0.02, "cgroup CPU against the kernel's cutime");
        } finally {
            Files.deleteIfExists(cg);
        }
    }
}

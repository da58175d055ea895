package io.taskmeter.shipper;

import io.taskmeter.core.batch.DiskCounters;
import io.taskmeter.core.batch.HostSample;
import io.taskmeter.core.batch.NetCounters;
import io.taskmeter.core.batch.Pressure;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The host's contention signals from seven small files read once per interval (/proc/stat, loadavg, meminfo,
 * pressure/{cpu,memory,io}, diskstats, net/dev): a fixed cost, independent of how many processes run. Parsers take
 * the files' text so they can be checked on captured text from other kernels. A file the kernel lacks reads as
 * absent (PSI before 4.20 or with psi=0), never as zero.
 */
final class HostSignalReader {
    private final Path proc;
    private final Path sysBlock;
    private final long hz;
    /** Whether a diskstats name is a whole disk worth reporting (cached: the answer does not change). */
    private final Map<String, Boolean> wholeDisk = new HashMap<>();

    HostSignalReader(Path proc, Path sysBlock, long hz) {
        this.proc = proc;
        this.sysBlock = sysBlock;
        this.hz = hz;
    }

    HostSignalReader(ProcReader reader) {
        this(reader.root(), Path.of("/sys/block"), reader.hz());
    }

    HostSample sample(long t) {
        String stat = read(proc.resolve("stat"));
        long[] cpu = cpuTicks(stat);
        long[] mem = memory(read(proc.resolve("meminfo")));
        Pressure psi = pressure(read(proc.resolve("pressure/cpu")), read(proc.resolve("pressure/memory")),
                read(proc.resolve("pressure/io")));
        return new HostSample(t, cpu[0] * 1000 / hz, cpu[1] * 1000 / hz, cpu[2] * 1000 / hz, cpu[3] * 1000 / hz,
                load1(read(proc.resolve("loadavg"))), (int) statLine(stat, "procs_running"),
                (int) statLine(stat, "procs_blocked"), mem[0], mem[1], psi,
                disks(read(proc.resolve("diskstats")), this::isWholeDisk), nets(read(proc.resolve("net/dev"))));
    }

    /** busy (user+nice+system+irq+softirq), idle, iowait, steal of the aggregate "cpu" line, in ticks. */
    static long[] cpuTicks(String stat) {
        String line = line(stat, "cpu ");
        if (line == null) {
            return new long[4];
        }
        String[] f = line.trim().split("\\s+");
        long[] v = new long[10];
        for (int i = 0; i < Math.min(10, f.length); i++) {
            v[i] = Long.parseLong(f[i]);
        }
        return new long[] {v[0] + v[1] + v[2] + v[5] + v[6], v[3], v[4], v[7]};
    }

    static long statLine(String stat, String name) {
        String line = line(stat, name + " ");
        return line == null ? 0 : Long.parseLong(line.trim());
    }

    static double load1(String loadavg) {
        if (loadavg == null || loadavg.isBlank()) {
            return 0;
        }
        String s = loadavg.strip();
        int space = s.indexOf(' ');
        return Double.parseDouble(space < 0 ? s : s.substring(0, space));
    }

    /** MemAvailable and SwapTotal − SwapFree, bytes. */
    static long[] memory(String meminfo) {
        return new long[] {kib(meminfo, "MemAvailable:"),
                Math.max(0, kib(meminfo, "SwapTotal:") - kib(meminfo, "SwapFree:"))};
    }

    private static long kib(String meminfo, String key) {
        String line = line(meminfo, key);
        if (line == null) {
            return 0;
        }
        String v = line.strip();
        int space = v.indexOf(' ');
        return Long.parseLong(space < 0 ? v : v.substring(0, space)) * 1024;
    }

    /**
     * The rest of the line that starts with {@code key}, null when none does. Found with indexOf: /proc/stat holds
     * an interrupt line of thousands of numbers that splitting into lines would copy every interval.
     */
    static String line(String text, String key) {
        if (text == null) {
            return null;
        }
        int at = text.startsWith(key) ? 0 : text.indexOf("\n" + key);
        if (at < 0) {
            return null;
        }
        int start = at == 0 && text.startsWith(key) ? key.length() : at + 1 + key.length();
        int end = text.indexOf('\n', start);
        return text.substring(start, end < 0 ? text.length() : end);
    }

    /** PSI totals from the three files' text; null when none exists. */
    static Pressure pressure(String cpu, String memory, String io) {
        if (cpu == null && memory == null && io == null) {
            return null;
        }
        return new Pressure(total(cpu, "some"), total(cpu, "full"), total(memory, "some"), total(memory, "full"),
                total(io, "some"), total(io, "full"));
    }

    /** The total= of the "some" or "full" line, µs; null when the file or line is absent. */
    static Long total(String pressureFile, String kind) {
        if (pressureFile == null) {
            return null;
        }
        for (String line : pressureFile.split("\n")) {
            if (line.startsWith(kind + " ")) {
                int at = line.indexOf("total=");
                if (at >= 0) {
                    return Long.parseLong(line.substring(at + 6).trim().split("\\s+")[0]);
                }
            }
        }
        return null;
    }

    /** Whole disks of /proc/diskstats: sectors are always 512 bytes there, whatever the device's sector size. */
    static List<DiskCounters> disks(String diskstats, java.util.function.Predicate<String> wholeDisk) {
        List<DiskCounters> out = new ArrayList<>();
        if (diskstats == null) {
            return out;
        }
        for (String line : diskstats.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 13 || !wholeDisk.test(f[2])) {
                continue;
            }
            out.add(new DiskCounters(f[2], Long.parseLong(f[5]) * 512, Long.parseLong(f[9]) * 512,
                    Long.parseLong(f[12])));
        }
        return out;
    }

    /** Interfaces of /proc/net/dev but the loopback, whose traffic never leaves the host. */
    static List<NetCounters> nets(String netDev) {
        List<NetCounters> out = new ArrayList<>();
        if (netDev == null) {
            return out;
        }
        for (String line : netDev.split("\n")) {
            int colon = line.indexOf(':');
            if (colon < 0 || line.contains("|")) {
                continue;
            }
            String name = line.substring(0, colon).trim();
            String[] f = line.substring(colon + 1).trim().split("\\s+");
            if (name.equals("lo") || f.length < 9) {
                continue;
            }
            out.add(new NetCounters(name, Long.parseLong(f[0]), Long.parseLong(f[8])));
        }
        return out;
    }

    /** A device of /sys/block (not a partition) that is not a loop or RAM disk. */
    private boolean isWholeDisk(String name) {
        return wholeDisk.computeIfAbsent(name, n -> !n.startsWith("loop") && !n.startsWith("ram")
                && Files.isDirectory(sysBlock.resolve(n)));
    }

    private static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.ISO_8859_1);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}

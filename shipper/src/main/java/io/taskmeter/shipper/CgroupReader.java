package io.taskmeter.shipper;

import io.taskmeter.core.batch.CgroupSample;
import io.taskmeter.core.batch.Pressure;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Counters of a cgroup v2 (cpu.stat, memory.current, memory.peak, io.stat, *.pressure) under the host's cgroup2
 * mount, found once in /proc/self/mountinfo: /sys/fs/cgroup on unified hosts, /sys/fs/cgroup/unified on hybrid
 * ones. Without a cgroup2 mount every read answers null, and units are measured by their processes alone.
 */
final class CgroupReader {
    private final Path mount;

    CgroupReader(Path mount) {
        this.mount = mount;
    }

    /** The cgroup2 mount this process sees, or none. */
    static CgroupReader ofHost(Path proc) {
        return new CgroupReader(cgroup2Mount(read(proc.resolve("self/mountinfo"))));
    }

    /** The mount point of the first cgroup2 file system in a mountinfo text, null when there is none. */
    static Path cgroup2Mount(String mountinfo) {
        if (mountinfo != null) {
            for (String line : mountinfo.split("\n")) {
                int dash = line.indexOf(" - ");
                if (dash > 0 && line.startsWith("cgroup2 ", dash + 3)) {
                    String[] f = line.substring(0, dash).split(" ");
                    if (f.length >= 5) {
                        return Path.of(f[4].replace("\\040", " "));
                    }
                }
            }
        }
        return null;
    }

    boolean available() {
        return mount != null;
    }

    /** The counters of the cgroup at {@code path} (as /proc/PID/cgroup names it), null when it cannot be read. */
    CgroupSample sample(String path) {
        if (mount == null || path == null || path.contains("..")) {
            return null;
        }
        Path dir = mount.resolve(path.startsWith("/") ? path.substring(1) : path);
        String cpu = read(dir.resolve("cpu.stat"));
        if (cpu == null) {
            return null; // gone, or not a cgroup
        }
        String io = read(dir.resolve("io.stat"));
        Pressure psi = HostSignalReader.pressure(read(dir.resolve("cpu.pressure")),
                read(dir.resolve("memory.pressure")), read(dir.resolve("io.pressure")));
        return new CgroupSample(keyed(cpu, "usage_usec"), keyed(cpu, "throttled_usec"),
                number(read(dir.resolve("memory.current"))), number(read(dir.resolve("memory.peak"))),
                io == null ? null : ioSum(io, "rbytes="), io == null ? null : ioSum(io, "wbytes="), psi);
    }

    /** A "name value" line of a flat-keyed file such as cpu.stat; null when absent. */
    static Long keyed(String text, String name) {
        for (String line : text.split("\n")) {
            if (line.startsWith(name + " ")) {
                return Long.parseLong(line.substring(name.length() + 1).trim());
            }
        }
        return null;
    }

    /** A single-number file (memory.current, memory.peak); null when absent or "max". */
    static Long number(String text) {
        if (text == null || text.isBlank() || !Character.isDigit(text.strip().charAt(0))) {
            return null;
        }
        return Long.parseLong(text.strip());
    }

    /** One key of io.stat ("MAJ:MIN rbytes=N wbytes=N ...") summed over devices. */
    static long ioSum(String ioStat, String key) {
        long sum = 0;
        for (String line : ioStat.split("\n")) {
            for (String f : line.trim().split("\\s+")) {
                if (f.startsWith(key)) {
                    sum += Long.parseLong(f.substring(key.length()));
                }
            }
        }
        return sum;
    }

    private static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.ISO_8859_1);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}

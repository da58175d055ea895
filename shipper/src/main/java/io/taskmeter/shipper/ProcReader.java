package io.taskmeter.shipper;

import oshi.software.os.linux.LinuxOperatingSystem;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads /proc directly: the fast path for what is sampled every interval. A process can vanish between any two
 * reads; every per-process method then answers "gone" (null or zeros), never throws.
 */
final class ProcReader {
    private final Path proc;
    private final long hz;
    private final long pageSize;

    ProcReader(Path proc, long hz, long pageSize) {
        this.proc = proc;
        this.hz = hz;
        this.pageSize = pageSize;
    }

    /** /proc with the clock tick rate and page size as OSHI reads them (sysconf CLK_TCK and PAGESIZE). */
    ProcReader() {
        this(Path.of("/proc"), LinuxOperatingSystem.getHz(), LinuxOperatingSystem.getPageSize());
    }

    long hz() {
        return hz;
    }

    long pageSize() {
        return pageSize;
    }

    Path root() {
        return proc;
    }

    List<Integer> pids() {
        List<Integer> pids = new ArrayList<>(512);
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(proc)) {
            for (Path p : dir) {
                String name = p.getFileName().toString();
                if (!name.isEmpty() && Character.isDigit(name.charAt(0))) {
                    try {
                        pids.add(Integer.parseInt(name));
                    } catch (NumberFormatException ignored) {
                        // not a process directory
                    }
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list " + proc + ": " + e.getMessage(), e);
        }
        return pids;
    }

    ProcStat stat(int pid) {
        return parseStat(pid, readString(proc.resolve(pid + "/stat")));
    }

    static ProcStat parseStat(int pid, String s) {
        if (s == null) {
            return null;
        }
        // The command name (field 2) may hold spaces and parentheses: fields are counted after the LAST ')'.
        int open = s.indexOf('(');
        int close = s.lastIndexOf(')');
        if (open < 0 || close < open || close + 2 >= s.length()) {
            return null;
        }
        String[] f = s.substring(close + 2).trim().split(" ");
        if (f.length < 22) {
            return null;
        }
        try {
            // f[0] is field 3 (state); field N is f[N - 3].
            return new ProcStat(pid, s.substring(open + 1, close), Integer.parseInt(f[1]), f[0].charAt(0),
                    Long.parseLong(f[11]) + Long.parseLong(f[12]), Long.parseLong(f[13]) + Long.parseLong(f[14]),
                    Long.parseLong(f[19]), Math.max(0, Long.parseLong(f[21])));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** rchar, wchar, read_bytes, write_bytes; zeros when unreadable (another user's process without root). */
    ProcIo io(int pid) {
        String s = readString(proc.resolve(pid + "/io"));
        if (s == null) {
            return ProcIo.ZERO;
        }
        long rchar = 0;
        long wchar = 0;
        long read = 0;
        long write = 0;
        for (String line : s.split("\n")) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            long v;
            try {
                v = Long.parseLong(line.substring(colon + 1).trim());
            } catch (NumberFormatException e) {
                continue;
            }
            switch (line.substring(0, colon)) {
                case "rchar" -> rchar = v;
                case "wchar" -> wchar = v;
                case "read_bytes" -> read = v;
                case "write_bytes" -> write = v;
                default -> { }
            }
        }
        return new ProcIo(rchar, wchar, read, write);
    }

    /** VmHWM (peak resident set) in bytes, 0 when gone or a kernel thread. */
    long peakRssBytes(int pid) {
        String s = readString(proc.resolve(pid + "/status"));
        if (s == null) {
            return 0;
        }
        int i = s.indexOf("VmHWM:");
        if (i < 0) {
            return 0;
        }
        int end = s.indexOf('\n', i);
        try {
            return Long.parseLong(s.substring(i + 6, end < 0 ? s.length() : end).replace("kB", "").trim()) * 1024;
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** The command line with NULs as spaces, trimmed; null when gone, "" for kernel threads and zombies. */
    String cmdline(int pid) {
        String s = readString(proc.resolve(pid + "/cmdline"));
        return s == null ? null : s.replace('\0', ' ').strip();
    }

    /** The kernel's boot id, dashes kept: with the pid and start ticks it makes a process unique. */
    String bootId() {
        String s = readString(proc.resolve("sys/kernel/random/boot_id"));
        if (s == null || !s.strip().matches("[0-9A-Za-z-]{1,64}")) {
            throw new IllegalStateException("cannot read " + proc.resolve("sys/kernel/random/boot_id")
                    + ": the shipper runs on Linux only");
        }
        return s.strip();
    }

    /** Boot time, epoch ms (btime in /proc/stat, whole seconds). */
    long bootTimeMs() {
        String s = readString(proc.resolve("stat"));
        if (s != null) {
            for (String line : s.split("\n")) {
                if (line.startsWith("btime ")) {
                    return Long.parseLong(line.substring(6).trim()) * 1000;
                }
            }
        }
        throw new IllegalStateException("no btime in " + proc.resolve("stat") + ": the shipper runs on Linux only");
    }

    /** Start ticks after boot to epoch ms. */
    long startMs(long bootTimeMs, long startTicks) {
        return bootTimeMs + startTicks * 1000 / hz;
    }

    private static String readString(Path p) {
        try {
            return Files.readString(p, StandardCharsets.ISO_8859_1);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}

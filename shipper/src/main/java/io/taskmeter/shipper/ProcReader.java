package io.taskmeter.shipper;

import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads /proc directly: the fast path for what is sampled every interval. Files are read into one reusable buffer
 * and parsed as bytes (no String per field, no split). A process can vanish between any two reads; every
 * per-process method then answers "gone" (null or zeros), never throws. Methods that read share the buffer and
 * are synchronized; the {@link Sampler} is the only caller that matters.
 */
final class ProcReader {
    private final Path proc;
    private final String procPrefix;
    private final long hz;
    private final long pageSize;
    private byte[] buf = new byte[8192];
    private int len;

    ProcReader(Path proc, long hz, long pageSize) {
        this.proc = proc;
        this.procPrefix = proc.toString() + "/";
        this.hz = hz;
        this.pageSize = pageSize;
    }

    /** /proc with the clock tick rate and page size the kernel gave this process (AT_CLKTCK, AT_PAGESZ). */
    ProcReader() {
        this(Path.of("/proc"), auxv(17, 100), auxv(6, 4096));
    }

    /** A value from /proc/self/auxv (64-bit little- or big-endian pairs of type and value), or the fallback. */
    static long auxv(long type, long fallback) {
        try {
            ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(Path.of("/proc/self/auxv"))).order(ByteOrder.nativeOrder());
            while (b.remaining() >= 16) {
                long t = b.getLong();
                long v = b.getLong();
                if (t == 0) {
                    break;
                }
                if (t == type && v > 0) {
                    return v;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or not readable: the fallback is what x86-64 and arm64 Linux use
        }
        return fallback;
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

    /** The pids in /proc right now (one directory read, no Path per entry). */
    int[] pids() {
        String[] names = new File(proc.toString()).list();
        if (names == null) {
            throw new IllegalStateException("cannot list " + proc);
        }
        int[] out = new int[names.length];
        int n = 0;
        for (String name : names) {
            int pid = 0;
            boolean digits = !name.isEmpty() && name.length() < 10;
            for (int i = 0; i < name.length() && digits; i++) {
                char c = name.charAt(i);
                if (c < '0' || c > '9') {
                    digits = false;
                } else {
                    pid = pid * 10 + (c - '0');
                }
            }
            if (digits) {
                out[n++] = pid;
            }
        }
        return java.util.Arrays.copyOf(out, n);
    }

    synchronized ProcStat stat(int pid) {
        if (!read(procPrefix + pid + "/stat")) {
            return null;
        }
        return parseStat(pid, buf, len);
    }

    static ProcStat parseStat(int pid, String s) {
        if (s == null) {
            return null;
        }
        byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
        return parseStat(pid, b, b.length);
    }

    /**
     * Fields 3 (state), 4 (ppid), 14-17 (utime, stime, cutime, cstime), 22 (start time) and 24 (rss). The command
     * name (field 2) may hold spaces and parentheses: fields are counted after the LAST ')'.
     */
    static ProcStat parseStat(int pid, byte[] b, int len) {
        int open = -1;
        int close = -1;
        for (int i = 0; i < len; i++) {
            if (b[i] == '(' && open < 0) {
                open = i;
            } else if (b[i] == ')') {
                close = i;
            }
        }
        if (open < 0 || close < open || close + 2 >= len) {
            return null;
        }
        long[] f = new long[25];
        char state = (char) (b[close + 2] & 0xff);
        int field = 3;
        int i = close + 2;
        // skip the state field
        while (i < len && b[i] != ' ') {
            i++;
        }
        while (i < len && field < 24) {
            i++; // the space
            field++;
            long v = 0;
            boolean neg = false;
            boolean any = false;
            if (i < len && b[i] == '-') {
                neg = true;
                i++;
            }
            while (i < len && b[i] >= '0' && b[i] <= '9') {
                v = v * 10 + (b[i] - '0');
                i++;
                any = true;
            }
            if (!any || (i < len && b[i] != ' ' && b[i] != '\n')) {
                return null;
            }
            f[field] = neg ? -v : v;
        }
        if (field < 24) {
            return null;
        }
        return new ProcStat(pid, new String(b, open + 1, close - open - 1, StandardCharsets.ISO_8859_1),
                (int) f[4], state, f[14] + f[15], f[16] + f[17], f[22], Math.max(0, f[24]));
    }

    /** rchar, wchar, read_bytes, write_bytes; zeros when unreadable (another user's process without root). */
    synchronized ProcIo io(int pid) {
        if (!read(procPrefix + pid + "/io")) {
            return ProcIo.ZERO;
        }
        return new ProcIo(field("rchar:"), field("wchar:"), field("read_bytes:"), field("write_bytes:"));
    }

    /** VmHWM (peak resident set) in bytes, 0 when gone or a kernel thread. */
    synchronized long peakRssBytes(int pid) {
        if (!read(procPrefix + pid + "/status")) {
            return 0;
        }
        return field("VmHWM:") * 1024;
    }

    /**
     * VmHWM and the context switches of /proc/PID/status in one read; null when gone. The switches are the main
     * thread's (the kernel prints the thread's own counts there), which is the whole process for single-threaded
     * workers and a lower bound for threaded ones.
     */
    synchronized ProcStatus status(int pid) {
        if (!read(procPrefix + pid + "/status")) {
            return null;
        }
        return new ProcStatus(field("VmHWM:") * 1024, field("voluntary_ctxt_switches:"),
                field("nonvoluntary_ctxt_switches:"));
    }

    /** Pss of /proc/PID/smaps_rollup in bytes; -1 when gone, not readable, or a kernel older than 4.14. */
    synchronized long pssBytes(int pid) {
        if (!read(procPrefix + pid + "/smaps_rollup") || len == 0) {
            return -1;
        }
        return field("Pss:") * 1024;
    }

    /** The cgroup v2 path of a process ("0::" line of /proc/PID/cgroup), null when gone or v1 only. */
    String cgroupV2(int pid) {
        String s = readString(proc.resolve(pid + "/cgroup"));
        if (s != null) {
            for (String line : s.split("\n")) {
                if (line.startsWith("0::")) {
                    return line.substring(3).strip();
                }
            }
        }
        return null;
    }

    /** The number after {@code name} at the start of a line of the buffer, 0 when absent. */
    private long field(String name) {
        int n = name.length();
        outer:
        for (int i = 0; i + n <= len; i++) {
            if (i > 0 && buf[i - 1] != '\n') {
                continue;
            }
            for (int k = 0; k < n; k++) {
                if (buf[i + k] != name.charAt(k)) {
                    continue outer;
                }
            }
            int j = i + n;
            while (j < len && (buf[j] == ' ' || buf[j] == '\t')) {
                j++;
            }
            long v = 0;
            while (j < len && buf[j] >= '0' && buf[j] <= '9') {
                v = v * 10 + (buf[j] - '0');
                j++;
            }
            return v;
        }
        return 0;
    }

    /** Reads a whole file into the buffer; false when it cannot be read (gone, or not ours to read). */
    private boolean read(String path) {
        len = 0;
        try (FileInputStream in = new FileInputStream(path)) {
            for (int r; (r = in.read(buf, len, buf.length - len)) > 0; ) {
                len += r;
                if (len == buf.length) {
                    buf = java.util.Arrays.copyOf(buf, buf.length * 2);
                }
            }
            return true;
        } catch (IOException | RuntimeException e) {
            len = 0;
            return false;
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

    /** Online CPUs of the host (not of this process's cgroup or affinity mask). */
    int cpus() {
        String online = readString(Path.of("/sys/devices/system/cpu/online"));
        int n = 0;
        if (online != null) {
            try {
                for (String range : online.strip().split(",")) {
                    int dash = range.indexOf('-');
                    n += dash < 0 ? 1 : Integer.parseInt(range.substring(dash + 1)) - Integer.parseInt(range.substring(0, dash)) + 1;
                }
            } catch (NumberFormatException e) {
                n = 0;
            }
        }
        return n > 0 ? n : Runtime.getRuntime().availableProcessors();
    }

    /** MemTotal of /proc/meminfo in bytes. */
    synchronized long memoryBytes() {
        if (!read(procPrefix + "meminfo")) {
            throw new IllegalStateException("cannot read " + procPrefix + "meminfo: the shipper runs on Linux only");
        }
        return field("MemTotal:") * 1024;
    }

    /** "PRETTY_NAME of /etc/os-release, kernel RELEASE". */
    static String os() {
        String name = "Linux";
        String release = readString(Path.of("/etc/os-release"));
        if (release != null) {
            for (String line : release.split("\n")) {
                if (line.startsWith("PRETTY_NAME=")) {
                    name = line.substring(12).replace("\"", "").strip();
                }
            }
        }
        return name + ", kernel " + System.getProperty("os.version");
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

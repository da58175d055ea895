package io.taskmeter.shipper;

import io.taskmeter.core.identity.TaskRecognizer;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads /proc directly: the fast path for what is sampled every interval. A process can vanish between any two
 * reads; every method then answers "gone" (null or zeros), never throws.
 */
final class ProcReader {
    private final Path proc;

    ProcReader(Path proc) {
        this.proc = proc;
    }

    ProcReader() {
        this(Path.of("/proc"));
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
        String s = readString(proc.resolve(pid + "/stat"));
        if (s == null) {
            return null;
        }
        // The command name (field 2) may hold spaces and parentheses: fields are counted after the last ')'.
        int close = s.lastIndexOf(')');
        if (close < 0 || close + 2 >= s.length()) {
            return null;
        }
        String[] f = s.substring(close + 2).trim().split(" ");
        if (f.length < 22) {
            return null;
        }
        // f[0] is field 3 (state); field N is f[N - 3].
        return new ProcStat(pid, Integer.parseInt(f[1]), f[0].charAt(0),
                Long.parseLong(f[11]) + Long.parseLong(f[12]), Long.parseLong(f[13]) + Long.parseLong(f[14]),
                Long.parseLong(f[19]), Long.parseLong(f[21]));
    }

    /** rchar, wchar, read_bytes, write_bytes; zeros when unreadable (another user's process without root). */
    long[] io(int pid) {
        long[] out = new long[4];
        String s = readString(proc.resolve(pid + "/io"));
        if (s == null) {
            return out;
        }
        for (String line : s.split("\n")) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String key = line.substring(0, colon);
            int idx = switch (key) {
                case "rchar" -> 0;
                case "wchar" -> 1;
                case "read_bytes" -> 2;
                case "write_bytes" -> 3;
                default -> -1;
            };
            if (idx >= 0) {
                out[idx] = Long.parseLong(line.substring(colon + 1).trim());
            }
        }
        return out;
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
        String v = s.substring(i + 6, end < 0 ? s.length() : end).replace("kB", "").trim();
        return Long.parseLong(v) * 1024;
    }

    String cmdline(int pid) {
        String s = readString(proc.resolve(pid + "/cmdline"));
        return s == null ? null : s.replace('\0', ' ').strip();
    }

    /**
     * The allow-listed variables of /proc/PID/environ, and nothing else: other values are skipped byte by byte
     * and never become strings; the buffer is zeroed afterwards.
     */
    Map<String, String> allowListedEnv(int pid) {
        Map<String, String> env = new HashMap<>();
        byte[] buf = new byte[8192];
        byte[] entry = new byte[4096];
        try (InputStream in = Files.newInputStream(proc.resolve(pid + "/environ"))) {
            int len = 0;
            boolean overflow = false;
            for (int n; (n = in.read(buf)) > 0; ) {
                for (int i = 0; i < n; i++) {
                    byte b = buf[i];
                    if (b == 0) {
                        if (!overflow) {
                            keepIfAllowed(entry, len, env);
                        }
                        Arrays.fill(entry, 0, len, (byte) 0);
                        len = 0;
                        overflow = false;
                    } else if (len < entry.length) {
                        entry[len++] = b;
                    } else {
                        overflow = true;
                    }
                }
            }
            if (!overflow) {
                keepIfAllowed(entry, len, env);
            }
        } catch (IOException | RuntimeException e) {
            // gone, or not ours to read
        } finally {
            Arrays.fill(buf, (byte) 0);
            Arrays.fill(entry, (byte) 0);
        }
        return env;
    }

    private static void keepIfAllowed(byte[] entry, int len, Map<String, String> env) {
        int eq = -1;
        for (int i = 0; i < len; i++) {
            if (entry[i] == '=') {
                eq = i;
                break;
            }
        }
        if (eq <= 0) {
            return;
        }
        String name = new String(entry, 0, eq, StandardCharsets.US_ASCII);
        if (TaskRecognizer.ENV_ALLOW_LIST.contains(name)) {
            env.put(name, new String(entry, eq + 1, len - eq - 1, StandardCharsets.UTF_8));
        }
    }

    String bootId() {
        String s = readString(proc.resolve("sys/kernel/random/boot_id"));
        return s == null ? "unknown-boot" : s.strip();
    }

    long bootTimeMs() {
        String s = readString(proc.resolve("stat"));
        if (s != null) {
            for (String line : s.split("\n")) {
                if (line.startsWith("btime ")) {
                    return Long.parseLong(line.substring(6).trim()) * 1000;
                }
            }
        }
        throw new IllegalStateException("no btime in /proc/stat: not Linux?");
    }

    private static String readString(Path p) {
        try {
            return Files.readString(p, StandardCharsets.ISO_8859_1);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}

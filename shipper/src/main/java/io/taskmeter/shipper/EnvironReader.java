package io.taskmeter.shipper;

import io.taskmeter.core.identity.TaskRecognizer;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads /proc/PID/environ as a stream and keeps ONLY the variables named in
 * {@link TaskRecognizer#ENV_ALLOW_LIST}. Names are compared as bytes; no other variable's name or value ever
 * becomes a String, and the small reusable buffers are zeroed after every read. Not thread-safe (one per sampler).
 */
final class EnvironReader {
    /** Values longer than this are not identities; they are skipped like any other variable. */
    static final int MAX_VALUE = 1024;

    private final Path proc;
    private final byte[][] names;
    private final byte[] chunk = new byte[4096];
    private final byte[] name;
    private final byte[] value = new byte[MAX_VALUE];

    EnvironReader(Path proc) {
        this.proc = proc;
        this.names = TaskRecognizer.ENV_ALLOW_LIST.stream().map(n -> n.getBytes(StandardCharsets.US_ASCII))
                .toArray(byte[][]::new);
        int longest = 0;
        for (byte[] n : names) {
            longest = Math.max(longest, n.length);
        }
        this.name = new byte[longest];
    }

    /** The allow-listed variables of the process; empty when it is gone or not readable. */
    Map<String, String> read(int pid) {
        Map<String, String> env = new HashMap<>();
        // States: 0 reading a name, 1 skipping to the next NUL, 2 reading an allowed value.
        int state = 0;
        int nameLen = 0;
        int valueLen = 0;
        byte[] matched = null;
        try (InputStream in = Files.newInputStream(proc.resolve(pid + "/environ"))) {
            for (int n; (n = in.read(chunk)) > 0; ) {
                for (int i = 0; i < n; i++) {
                    byte b = chunk[i];
                    if (state == 0) {
                        if (b == 0) {
                            nameLen = 0;
                        } else if (b == '=') {
                            matched = allowed(nameLen);
                            state = matched == null ? 1 : 2;
                            valueLen = 0;
                        } else if (nameLen < name.length) {
                            name[nameLen++] = b;
                        } else {
                            state = 1; // longer than any allowed name
                        }
                    } else if (state == 1) {
                        if (b == 0) {
                            state = 0;
                            nameLen = 0;
                        }
                    } else {
                        if (b == 0) {
                            env.put(new String(matched, StandardCharsets.US_ASCII),
                                    new String(value, 0, valueLen, StandardCharsets.UTF_8));
                            state = 0;
                            nameLen = 0;
                        } else if (valueLen < value.length) {
                            value[valueLen++] = b;
                        } else {
                            state = 1; // too long to be an identity: dropped
                        }
                    }
                }
            }
            if (state == 2) {
                env.put(new String(matched, StandardCharsets.US_ASCII),
                        new String(value, 0, valueLen, StandardCharsets.UTF_8));
            }
        } catch (IOException | RuntimeException e) {
            return Map.of(); // gone, or not ours to read
        } finally {
            Arrays.fill(chunk, (byte) 0);
            Arrays.fill(name, (byte) 0);
            Arrays.fill(value, (byte) 0);
        }
        return env;
    }

    private byte[] allowed(int len) {
        for (byte[] n : names) {
            if (n.length == len && Arrays.equals(n, 0, len, name, 0, len)) {
                return n;
            }
        }
        return null;
    }
}

package io.taskmeter.shipper;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A test workload: allocates and touches {@code args[0]} MiB, holds it {@code args[1]} ms, then writes its own
 * VmHWM (kernel's peak RSS, bytes) to {@code args[2]}: the ground truth for peak memory.
 */
public final class MemoryHog {
    private MemoryHog() {
    }

    public static void main(String[] args) throws Exception {
        int mib = Integer.parseInt(args[0]);
        byte[] block = new byte[mib << 20];
        for (int i = 0; i < block.length; i += 4096) {
            block[i] = (byte) i;
        }
        Thread.sleep(Long.parseLong(args[1]));
        long hwm = 0;
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmHWM:")) {
                hwm = Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        Files.writeString(Path.of(args[2]), Long.toString(hwm));
        if (block[4096] == 42) {
            System.out.print(""); // keeps the block reachable until here
        }
    }
}

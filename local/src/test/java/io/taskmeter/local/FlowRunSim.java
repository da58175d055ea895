package io.taskmeter.local;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * A simulated Prefect flow-run process: one JVM, one thread per "task run". Each thread waits for the previous
 * task run to end plus a gap, then burns a known amount of CPU on its own thread CPU clock, so the amount holds
 * however loaded the machine is; its window is whatever wall time that took. Writes, per task run, its window
 * (epoch ms) and the CPU its thread used: the ground truth the end-to-end test compares with.
 * Args: output file, then per task run {@code name:cpuMillis}.
 */
public final class FlowRunSim {
    static final long GAP_MS = 1000;

    public static void main(String[] args) throws Exception {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        List<String> lines = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Thread> threads = new ArrayList<>();
        CountDownLatch previous = new CountDownLatch(0);
        for (int i = 1; i < args.length; i++) {
            String[] p = args[i].split(":");
            long cpuNanos = Long.parseLong(p[1]) * 1_000_000L;
            CountDownLatch after = previous;
            CountDownLatch done = new CountDownLatch(1);
            Thread t = new Thread(() -> {
                try {
                    after.await();
                    Thread.sleep(GAP_MS);
                    long cpu0 = mx.getCurrentThreadCpuTime();
                    long begin = System.currentTimeMillis();
                    long x = 0;
                    while (mx.getCurrentThreadCpuTime() - cpu0 < cpuNanos) {
                        for (int k = 0; k < 100_000; k++) {
                            x += x * 31 + 7;
                        }
                    }
                    double cpu = (mx.getCurrentThreadCpuTime() - cpu0) / 1e9;
                    long finished = System.currentTimeMillis();
                    lines.add(p[0] + " " + begin + " " + finished + " " + cpu + " " + (x == 42 ? "!" : "."));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    done.countDown();
                }
            }, p[0]);
            t.start();
            threads.add(t);
            previous = done;
        }
        for (Thread t : threads) {
            t.join();
        }
        Thread.sleep(GAP_MS); // idle after the last task run, as a flow run finishing up
        Files.write(Path.of(args[0]), lines);
    }
}

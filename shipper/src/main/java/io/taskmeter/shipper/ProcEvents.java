package io.taskmeter.shipper;

import com.sun.jna.Library;
import com.sun.jna.Native;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.logging.Logger;

/**
 * Every fork and exit on the host, from the kernel's process events connector (netlink, CN_PROC; needs root or
 * CAP_NET_ADMIN): the only way to count subprocesses that live and die between two samples exactly, which polling
 * /proc cannot. One listener per JVM keeps the most recent {@link #CAPACITY} events in a ring; each reader keeps its
 * own cursor, so shippers in one JVM (tests) share it. Where the connector cannot be opened, {@link #shared()} is
 * null and units fall back to counting what polling saw.
 */
final class ProcEvents {
    private static final Logger LOG = Logger.getLogger(ProcEvents.class.getName());
    static final int CAPACITY = 1 << 16;
    static final int FORK = 0x00000001;
    static final int EXIT = 0x80000000;
    private static final int AF_NETLINK = 16;
    private static final int SOCK_DGRAM = 2;
    private static final int NETLINK_CONNECTOR = 11;
    private static final int CN_IDX_PROC = 1;
    private static final int CN_VAL_PROC = 1;
    private static final int PROC_CN_MCAST_LISTEN = 1;
    private static final int NLMSG_DONE = 3;
    private static final int SOL_SOCKET = 1;
    private static final int SO_RCVTIMEO = 20;
    private static final int SO_RCVBUFFORCE = 33;
    private static final int SO_ATTACH_FILTER = 26;
    private static final int EINTR = 4;
    private static final int EAGAIN = 11;
    private static final int ENOBUFS = 105;
    /** Times the kernel dropped events because they came faster than this thread read them. */
    private volatile long overflows;

    interface LibC extends Library {
        int socket(int domain, int type, int protocol);

        int bind(int fd, byte[] addr, int len);

        long send(int fd, byte[] buf, long len, int flags);

        long recv(int fd, com.sun.jna.Pointer buf, long len, int flags);

        int setsockopt(int fd, int level, int name, byte[] value, int len);

        int setsockopt(int fd, int level, int name, com.sun.jna.Pointer value, int len);

        int close(int fd);
    }

    /** One event: what happened to which process (thread events are left out). */
    record Event(long seq, int kind, int pid, int parentPid, long nanosSinceBoot) {
    }

    private static volatile ProcEvents shared;
    private static volatile boolean tried;

    private final int[] kind = new int[CAPACITY];
    private final int[] pid = new int[CAPACITY];
    private final int[] parent = new int[CAPACITY];
    private final long[] nanos = new long[CAPACITY];
    private long next;

    /** The JVM's listener, started on first use; null when this host or user cannot listen. */
    static ProcEvents shared() {
        if (!tried) {
            synchronized (ProcEvents.class) {
                if (!tried) {
                    shared = open();
                    tried = true;
                }
            }
        }
        return shared;
    }

    private static ProcEvents open() {
        if (Boolean.getBoolean("taskmeter.noProcEvents")) {
            return null;
        }
        try {
            LibC c = Native.load("c", LibC.class);
            int fd = c.socket(AF_NETLINK, SOCK_DGRAM, NETLINK_CONNECTOR);
            if (fd < 0) {
                LOG.info("process events unavailable (netlink connector socket refused): short-lived "
                        + "subprocesses are counted from polling, a lower bound");
                return null;
            }
            ByteBuffer addr = le(12).putShort((short) AF_NETLINK).putShort((short) 0).putInt(0).putInt(CN_IDX_PROC);
            ByteBuffer timeout = le(16).putLong(1).putLong(0);
            ByteBuffer rcvbuf = le(4).putInt(8 << 20);
            c.setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, rcvbuf.array(), 4); // root only; fine to fail
            attachFilter(c, fd);
            ByteBuffer listen = le(40).putInt(40).putShort((short) NLMSG_DONE).putShort((short) 0).putInt(0)
                    .putInt(0).putInt(CN_IDX_PROC).putInt(CN_VAL_PROC).putInt(0).putInt(0).putShort((short) 4)
                    .putShort((short) 0).putInt(PROC_CN_MCAST_LISTEN);
            if (c.bind(fd, addr.array(), 12) < 0
                    || c.setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, timeout.array(), 16) < 0
                    || c.send(fd, listen.array(), 40, 0) != 40) {
                c.close(fd);
                LOG.info("process events unavailable (not root or no CAP_NET_ADMIN?): short-lived subprocesses "
                        + "are counted from polling, a lower bound");
                return null;
            }
            ProcEvents events = new ProcEvents();
            Thread t = new Thread(() -> events.listen(c, fd), "taskmeter-proc-events");
            t.setDaemon(true);
            t.start();
            LOG.info("listening to the kernel's process events: every subprocess is counted");
            return events;
        } catch (LinkageError | RuntimeException e) {
            LOG.info("process events unavailable (" + e + "): short-lived subprocesses are counted from polling");
            return null;
        }
    }

    /**
     * A classic BPF filter on the socket so the kernel wakes this thread only for process forks and exits: threads
     * (a JVM or a build starts thousands) and exec/comm/uid events never reach user space. Without it (an old
     * kernel refusing it) {@link #accept} filters the same in Java, at more cost.
     */
    private static void attachFilter(LibC c, int fd) {
        // BPF loads words in network byte order: constants compared with fields are swapped on little-endian hosts.
        boolean little = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;
        int fork = little ? Integer.reverseBytes(FORK) : FORK;
        int exit = little ? Integer.reverseBytes(EXIT) : EXIT;
        int ldAbs = 0x20;
        int jeqK = 0x15;
        int jeqX = 0x1d;
        int tax = 0x07;
        int ret = 0x06;
        int[][] program = {
            {ldAbs, 0, 0, 36},      // 0: A = what
            {jeqK, 0, 4, fork},     // 1: fork? → 2, else → 6
            {ldAbs, 0, 0, 64},      // 2: child tgid
            {tax, 0, 0, 0},         // 3
            {ldAbs, 0, 0, 60},      // 4: child pid
            {jeqX, 6, 5, 0},        // 5: a process, not a thread → 12, else → 11
            {jeqK, 0, 4, exit},     // 6: exit? → 7, else → 11
            {ldAbs, 0, 0, 56},      // 7: tgid
            {tax, 0, 0, 0},         // 8
            {ldAbs, 0, 0, 52},      // 9: pid
            {jeqX, 1, 0, 0},        // 10: the process, not a thread → 12, else → 11
            {ret, 0, 0, 0},         // 11: drop
            {ret, 0, 0, 0xffff},    // 12: keep
        };
        com.sun.jna.Memory code = new com.sun.jna.Memory(8L * program.length);
        for (int i = 0; i < program.length; i++) {
            code.setShort(8L * i, (short) program[i][0]);
            code.setByte(8L * i + 2, (byte) program[i][1]);
            code.setByte(8L * i + 3, (byte) program[i][2]);
            code.setInt(8L * i + 4, program[i][3]);
        }
        com.sun.jna.Memory fprog = new com.sun.jna.Memory(16);
        fprog.clear();
        fprog.setShort(0, (short) program.length);
        fprog.setPointer(8, code);
        if (c.setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, fprog, 16) < 0) {
            LOG.info("no socket filter for process events: every event is read and filtered here");
        }
    }

    private static ByteBuffer le(int n) {
        return ByteBuffer.allocate(n).order(ByteOrder.nativeOrder());
    }

    private void listen(LibC c, int fd) {
        // Native memory read in place: a Java array would be copied in and out on every call.
        com.sun.jna.Memory buf = new com.sun.jna.Memory(512);
        while (true) {
            long n = c.recv(fd, buf, buf.size(), 0);
            if (n < 0) {
                int errno = Native.getLastError();
                if (errno == ENOBUFS) {
                    overflows++; // the socket buffer overflowed: some events were lost; keep listening
                } else if (errno != EAGAIN && errno != EINTR) {
                    LOG.warning("process events stopped (errno " + errno + "): from now on short-lived "
                            + "subprocesses are counted from polling only");
                    c.close(fd);
                    return;
                }
                continue;
            }
            if (n >= 68) {
                accept(buf.getInt(36), buf.getLong(44), buf.getInt(52), buf.getInt(56), buf.getInt(60),
                        buf.getInt(64));
            }
        }
    }

    /**
     * One proc_event (linux/cn_proc.h): {@code a..d} are the union's first four words: for a fork the parent's pid
     * and tgid and the child's pid and tgid; for an exit the process's pid and tgid.
     */
    synchronized void accept(int what, long nanosSinceBoot, int a, int b, int c, int d) {
        if (what == FORK && c == d) {
            put(FORK, d, b, nanosSinceBoot);
        } else if (what == EXIT && a == b) {
            put(EXIT, b, 0, nanosSinceBoot);
        }
    }

    private void put(int k, int p, int pp, long ns) {
        int i = (int) (next & (CAPACITY - 1));
        kind[i] = k;
        pid[i] = p;
        parent[i] = pp;
        nanos[i] = ns;
        next++;
    }

    long overflows() {
        return overflows;
    }

    /** The sequence number the next event will get: a reader starting now reads from here. */
    synchronized long head() {
        return next;
    }

    /**
     * The events from {@code fromSeq} on, oldest first, handed to {@code sink}; returns the sequence to read from
     * next. Events older than the ring holds are gone: the return is then still the head, and
     * {@code lost[0]} is set.
     */
    synchronized long read(long fromSeq, java.util.function.Consumer<Event> sink, boolean[] lost) {
        long from = fromSeq;
        if (next - from > CAPACITY) {
            lost[0] = true;
            from = next - CAPACITY;
        }
        for (long s = Math.max(0, from); s < next; s++) {
            int i = (int) (s & (CAPACITY - 1));
            sink.accept(new Event(s, kind[i], pid[i], parent[i], nanos[i]));
        }
        return next;
    }
}

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
    private static final int EINTR = 4;
    private static final int EAGAIN = 11;
    private static final int ENOBUFS = 105;
    /** Times the kernel dropped events because they came faster than this thread read them. */
    private volatile long overflows;

    interface LibC extends Library {
        int socket(int domain, int type, int protocol);

        int bind(int fd, byte[] addr, int len);

        long send(int fd, byte[] buf, long len, int flags);

        long recv(int fd, byte[] buf, long len, int flags);

        int setsockopt(int fd, int level, int name, byte[] value, int len);

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

    private static ByteBuffer le(int n) {
        return ByteBuffer.allocate(n).order(ByteOrder.nativeOrder());
    }

    private void listen(LibC c, int fd) {
        byte[] buf = new byte[4096];
        ByteBuffer b = ByteBuffer.wrap(buf).order(ByteOrder.nativeOrder());
        while (true) {
            long n = c.recv(fd, buf, buf.length, 0);
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
                accept(b.getInt(36), b.getLong(44), b.getInt(52), b.getInt(56), b.getInt(60), b.getInt(64));
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

package io.taskmeter.shipper;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The kernel's fork and exit events, against a process that forks a known number of children. */
class ProcEventsTest {
    @Test
    void everyForkOfAProcessIsHeardAndThreadsAreNot() throws Exception {
        ProcEvents events = ProcEvents.shared();
        assumeTrue(events != null, "process events need root or CAP_NET_ADMIN");
        long from = events.head();
        // 25 children that each exit at once, and no threads: bash forks once per external command.
        Process p = new ProcessBuilder("bash", "-c", "for i in $(seq 25); do /bin/true; done; exit 0").start();
        assertEquals(0, p.waitFor());
        Thread.sleep(300); // events are delivered asynchronously
        List<ProcEvents.Event> forks = new ArrayList<>();
        List<ProcEvents.Event> exits = new ArrayList<>();
        boolean[] lost = new boolean[1];
        events.read(from, e -> {
            if (e.kind() == ProcEvents.FORK && e.parentPid() == p.pid()) {
                forks.add(e);
            } else if (e.kind() == ProcEvents.EXIT) {
                exits.add(e);
            }
        }, lost);
        assertFalse(lost[0]);
        // $(seq 25) is one more fork of bash
        assertEquals(26, forks.size(), "forks of bash " + p.pid());
        for (ProcEvents.Event f : forks) {
            assertTrue(exits.stream().anyMatch(x -> x.pid() == f.pid() && x.seq() > f.seq()), "each child exited");
        }
    }

    @Test
    void eventsParsedFromTheirWords() {
        ProcEvents e = new ProcEvents();
        e.accept(ProcEvents.FORK, 5, 100, 100, 101, 101);
        e.accept(ProcEvents.FORK, 6, 100, 100, 102, 100); // a thread of 100: not a process
        e.accept(ProcEvents.EXIT, 7, 101, 101, 0, 0);
        e.accept(ProcEvents.EXIT, 8, 103, 100, 0, 0); // a thread exiting
        List<ProcEvents.Event> all = new ArrayList<>();
        assertEquals(2, e.read(0, all::add, new boolean[1]));
        assertEquals(List.of(new ProcEvents.Event(0, ProcEvents.FORK, 101, 100, 5),
                new ProcEvents.Event(1, ProcEvents.EXIT, 101, 0, 7)), all);
    }
}

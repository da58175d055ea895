package io.taskmeter.pollers;

import io.taskmeter.core.metadata.MetadataDocument;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The poll loop on its own thread: retries with backoff, logs failures once, loses nothing. */
class PollLoopTest {
    static final Backoff FAST = new Backoff(Duration.ofMillis(10), Duration.ofMillis(40));

    static PollerConfig fast(FakeServer server, Credentials c, Path dir) {
        return AirflowPollerTest.config(server, c, dir).withInterval(Duration.ofMillis(50)).withBackoff(FAST)
                .withTimeout(Duration.ofMillis(500));
    }

    @Test
    void theLoopOutlivesErrorsAndTimeoutsAndSendsEachRecordOnce() throws Exception {
        try (FakeAirflow airflow = AirflowPollerTest.airflow2()) {
            airflow.failNext(500);
            airflow.failNext(502);
            airflow.delayNext(2_000);
            airflow.failNext(503);
            Collected out = new Collected();
            PollerConfig cfg = fast(airflow, AirflowPollerTest.GOOD, Collected.newDir());
            PollLoop loop = new PollLoop(new AirflowPoller(cfg), cfg, out, () -> AirflowPollerTest.AIRFLOW2_NOW);
            try (loop) {
                loop.start();
                waitFor(() -> out.records().size() >= 30);
                int requests = airflow.requests.size();
                waitFor(() -> airflow.requests.size() > requests + 20); // several more complete polls
            }
            List<String> got = out.described();
            assertEquals(30, got.size(), "each record once, over all polls: " + got);
            assertEquals(AirflowPollerTest.expectedAirflow2(), new TreeSet<>(got));
            assertEquals(0, loop.failures());
        }
    }

    @Test
    void wrongCredentialsAreLoggedOnceAndNeverThePassword() throws Exception {
        List<LogRecord> logged = new ArrayList<>();
        Handler capture = new Handler() {
            @Override
            public synchronized void publish(LogRecord r) {
                logged.add(r);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger logger = Logger.getLogger("io.taskmeter.pollers");
        logger.addHandler(capture);
        Level before = logger.getLevel();
        logger.setLevel(Level.ALL);
        try (FakeAirflow airflow = AirflowPollerTest.airflow2()) {
            Credentials wrong = new Credentials(FakeAirflow.USER, "hunter2-wrong", null, null);
            PollerConfig cfg = fast(airflow, wrong, Collected.newDir());
            Collected out = new Collected();
            try (PollLoop loop = new PollLoop(new AirflowPoller(cfg), cfg, out, System::currentTimeMillis)) {
                loop.start();
                waitFor(() -> loop.failures() >= 5);
            }
            assertTrue(out.documents.isEmpty());
        } finally {
            logger.removeHandler(capture);
            logger.setLevel(before);
        }
        List<String> warnings;
        synchronized (capture) {
            warnings = logged.stream().filter(r -> r.getLevel() == Level.WARNING).map(LogRecord::getMessage)
                    .toList();
            for (LogRecord r : logged) {
                assertFalse(r.getMessage().contains("hunter2"), "a password in the log: " + r.getMessage());
            }
        }
        assertEquals(1, warnings.size(), "one warning for five failures alike: " + warnings);
        assertTrue(warnings.get(0).contains("AUTH: 401 from GET /api/v1/dags/~/dagRuns/~/taskInstances"),
                warnings.get(0));
        assertTrue(warnings.get(0).contains("check the airflow credentials"), warnings.get(0));
    }

    @Test
    void aConsumerThatFailsGetsEverythingAgainAtTheNextPoll() throws Exception {
        try (FakeAirflow airflow = AirflowPollerTest.airflow2()) {
            Collected out = new Collected();
            AtomicInteger calls = new AtomicInteger();
            Consumer<MetadataDocument> flaky = d -> {
                if (calls.incrementAndGet() == 2) {
                    throw new IllegalStateException("spool full");
                }
                out.accept(d);
            };
            PollerConfig cfg = AirflowPollerTest.config(airflow, AirflowPollerTest.GOOD, Collected.newDir());
            PollLoop loop = new PollLoop(new AirflowPoller(cfg), cfg, flaky, () -> AirflowPollerTest.AIRFLOW2_NOW);
            assertThrows(IllegalStateException.class, loop::pollOnce);
            assertEquals(8, out.records().size(), "the first document went out");
            out.clear();
            assertEquals(30, loop.pollOnce(), "nothing was remembered: all is sent again");
            assertEquals(30, new HashSet<>(out.described()).size());
            assertEquals(0, loop.pollOnce());
        }
    }

    static void waitFor(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 30 s");
            }
            Thread.sleep(20);
        }
    }
}

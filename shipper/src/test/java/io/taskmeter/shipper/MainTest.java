package io.taskmeter.shipper;

import io.taskmeter.core.batch.Batch;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command line, run as a real JVM where exit codes matter. */
class MainTest {
    static final List<String> OPTIONS = List.of("--sink", "--s3-endpoint", "--region", "--interval",
            "--batch-seconds", "--host-id", "--spool-dir", "--max-spool-mb", "--instance-type", "--redact", "--once",
            "--help", "--config", "--max-spool-age", "--boot-id-file", "--json", "status");

    record Run(int exit, String out, String err) {
    }

    static Run main(Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(TestSupport.javaBin(), "-cp", System.getProperty("java.class.path"),
                Main.class.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().keySet().removeIf(k -> k.startsWith("TASKMETER_"));
        pb.environment().putAll(env);
        Process p = pb.start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the shipper exits");
        return new Run(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
                new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    @Test
    void helpExplainsEveryOption() throws Exception {
        Run r = main(Map.of(), "--help");
        assertEquals(0, r.exit(), r.err());
        for (String option : OPTIONS) {
            assertTrue(r.out().contains(option), option + " missing from --help:\n" + r.out());
        }
        for (String env : List.of("TASKMETER_SINK", "TASKMETER_INTERVAL", "TASKMETER_BATCH_SECONDS",
                "TASKMETER_CONFIG", "TASKMETER_MAX_SPOOL_AGE", "/etc/taskmeter/shipper.conf", "(default 7d)",
                "(default 256)", "(default 1s)", "(default 60)")) {
            assertTrue(r.out().contains(env), env);
        }
    }

    @Test
    void badOptionsExitWithStatus2AndSayWhy() throws Exception {
        Run unknown = main(Map.of(), "--frobnicate");
        assertEquals(2, unknown.exit());
        assertTrue(unknown.err().contains("unknown option '--frobnicate'"), unknown.err());
        Run badInterval = main(Map.of(), "--sink", "file:///tmp/x", "--interval", "soon");
        assertEquals(2, badInterval.exit());
        assertTrue(badInterval.err().contains("'soon' is not a duration"), badInterval.err());
        Run noSink = main(Map.of());
        assertEquals(2, noSink.exit());
        assertTrue(noSink.err().contains("no sink"), noSink.err());
        Run badSink = main(Map.of(), "--sink", "ftp://x/y");
        assertEquals(2, badSink.exit());
        assertTrue(badSink.err().contains("s3://bucket/prefix or file:///dir"), badSink.err());
    }

    @Test
    void onceUploadsOneBatchAndExits() throws Exception {
        Path dir = TestSupport.newDir();
        Run r = main(Map.of("TASKMETER_SINK", "file://" + dir.resolve("sink"), "TASKMETER_INTERVAL", "5s"),
                "--once", "--batch-seconds", "1", "--interval", "200ms", "--host-id", "cli-host",
                "--spool-dir", dir.resolve("spool").toString());
        assertEquals(0, r.exit(), r.err());
        List<Batch> batches = TestSupport.batches(dir.resolve("sink"));
        assertEquals(1, batches.size(), "one batch");
        assertEquals("cli-host", batches.get(0).hostId());
        assertEquals(200, batches.get(0).intervalMs(), "flags win over the environment");
    }

    @Test
    void flagsWinOverEnvironmentWhichWinsOverTheConfigFileWhichWinsOverDefaults() throws Exception {
        Path dir = TestSupport.newDir();
        Path conf = dir.resolve("shipper.conf");
        Files.writeString(conf, String.join("\n",
                "# comments and blank lines are fine",
                "",
                "sink = s3://file-bucket/file-prefix",
                "interval = 5s",
                "batch-seconds = 30",
                "max-spool-mb = 16",
                "max-spool-age = 72h",
                "host-id = file-host",
                "redact = secret[0-9]+",
                "redact = hunter2",
                "once = true"));
        Map<String, String> env = Map.of("TASKMETER_CONFIG", conf.toString(), "TASKMETER_INTERVAL", "2s",
                "TASKMETER_HOST_ID", "env-host");
        ShipperConfig c = Main.parse(new String[] {"--interval", "500ms"}, env, null).config();
        assertEquals(Duration.ofMillis(500), c.interval(), "flag over environment and file");
        assertEquals("env-host", c.hostId(), "environment over file");
        assertEquals(Duration.ofSeconds(30), c.batchEvery(), "file over default");
        assertEquals(16L << 20, c.maxSpoolBytes());
        assertEquals(Duration.ofHours(72), c.maxSpoolAge());
        assertEquals(URI.create("s3://file-bucket/file-prefix"), c.sink());
        assertEquals(List.of("secret[0-9]+", "hunter2"), c.extraRedactPatterns());
        assertTrue(c.once());
        ShipperConfig flagsOnly = Main.parse(new String[] {"--config", conf.toString(), "--redact", "x"}, Map.of(),
                null).config();
        assertEquals(Duration.ofSeconds(5), flagsOnly.interval(), "file over default");
        assertEquals(List.of("x"), flagsOnly.extraRedactPatterns(), "a list comes whole from one source");

        ShipperConfig byDefault = Main.parse(new String[0], Map.of(), conf).config();
        assertEquals("file-host", byDefault.hostId(), "the default config file is read when it exists");
        ShipperConfig none = Main.parse(new String[] {"--sink", "file:///x"}, Map.of(), dir.resolve("absent.conf"))
                .config();
        assertEquals(Duration.ofSeconds(1), none.interval(), "documented default");
        assertEquals(Duration.ofDays(7), none.maxSpoolAge(), "documented default");
        assertEquals(256L << 20, none.maxSpoolBytes(), "documented default");

        Files.writeString(dir.resolve("typo.conf"), "sink = s3://b/p\nintervall = 1s\n");
        IllegalArgumentException typo = assertThrows(IllegalArgumentException.class,
                () -> Main.parse(new String[] {"--config", dir.resolve("typo.conf").toString()}, Map.of(), null));
        assertTrue(typo.getMessage().contains("line 2: unknown setting 'intervall'"), typo.getMessage());
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> Main.parse(new String[] {"--config", dir.resolve("nope.conf").toString()}, Map.of(), null));
        assertTrue(missing.getMessage().contains("does not exist"), missing.getMessage());
    }

    @Test
    void aConfigFileAloneRunsTheShipper() throws Exception {
        Path dir = TestSupport.newDir();
        Path conf = dir.resolve("shipper.conf");
        Files.writeString(conf, "sink = file://" + dir.resolve("sink") + "\nhost-id = conf-host\ninterval = 200ms\n"
                + "batch-seconds = 1\nspool-dir = " + dir.resolve("spool") + "\n");
        Run r = main(Map.of(), "--config", conf.toString(), "--once");
        assertEquals(0, r.exit(), r.err());
        List<Batch> batches = TestSupport.batches(dir.resolve("sink"));
        assertEquals(1, batches.size());
        assertEquals("conf-host", batches.get(0).hostId());
    }

    @Test
    void flagsWinOverEnvironmentWhichWinsOverDefaults() {
        Map<String, String> env = Map.of("TASKMETER_SINK", "s3://b/p", "TASKMETER_INTERVAL", "5s",
                "TASKMETER_MAX_SPOOL_MB", "8");
        ShipperConfig c = Main.parse(new String[] {"--interval=500ms", "--redact", "x+", "--redact", "y"}, env).config();
        assertEquals(Duration.ofMillis(500), c.interval());
        assertEquals(8L << 20, c.maxSpoolBytes());
        assertEquals("p/", c.prefix());
        assertEquals(List.of("x+", "y"), c.extraRedactPatterns());
        assertEquals(Duration.ofSeconds(60), c.batchEvery());
        assertNotEquals(null, c.hostId());
        assertThrows(IllegalArgumentException.class, () -> Main.parse(new String[] {"--redact", "("}, env));
        assertThrows(IllegalArgumentException.class, () -> Main.parse(new String[] {"--host-id", "a/b"}, env));
    }
}

package io.taskmeter.shipper;

import com.fasterxml.jackson.databind.JsonNode;
import io.taskmeter.core.batch.Batch;
import io.taskmeter.core.batch.BatchCodec;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The distribution `./mvnw package` builds, unpacked and run as an operator would (after package: failsafe). */
class DistributionIT {
    static final Path TARBALL = Path.of("target", "taskmeter-shipper-dist.tar.gz").toAbsolutePath();

    static String run(Path dir, List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + ":\n" + out);
        return out;
    }

    @Test
    void theUnpackedDistributionRunsAndShipsWhatTheDocsSay() throws Exception {
        assertTrue(Files.exists(TARBALL), "built by package: " + TARBALL);
        Path dir = TestSupport.newDir();
        run(dir, List.of("tar", "xzf", TARBALL.toString()));
        Path home = dir.resolve("taskmeter-shipper");
        for (String f : List.of("bin/taskmeter-shipper", "lib/taskmeter-shipper.jar", "systemd/taskmeter-shipper.service",
                "etc/shipper.conf", "iam-policy.json", "docs/operations.md")) {
            assertTrue(Files.isRegularFile(home.resolve(f)), f);
        }
        assertTrue(Files.isExecutable(home.resolve("bin/taskmeter-shipper")));

        String help = run(dir, List.of(home.resolve("bin/taskmeter-shipper").toString(), "--help"));
        assertTrue(help.contains("--sink") && help.contains("/etc/taskmeter/shipper.conf"), help);
        // The example config, pointed at a directory, runs the shipped jar with the start script's small-JVM flags.
        Path conf = dir.resolve("shipper.conf");
        String example = Files.readString(home.resolve("etc/shipper.conf"));
        Files.writeString(conf, example.replace("sink = s3://my-taskmeter-bucket/taskmeter",
                "sink = file://" + dir.resolve("sink")) + "\nspool-dir = " + dir.resolve("spool")
                + "\nbatch-seconds = 1\ninterval = 200ms\nhost-id = dist-host\n");
        run(dir, List.of(home.resolve("bin/taskmeter-shipper").toString(), "--config", conf.toString(), "--once"));
        List<Batch> batches = TestSupport.batches(dir.resolve("sink"));
        assertEquals(1, batches.size());
        assertEquals("dist-host", batches.get(0).hostId());
        String status = run(dir, List.of(home.resolve("bin/taskmeter-shipper").toString(), "status", "--spool-dir",
                dir.resolve("spool").toString()));
        assertTrue(status.contains("spool: 0 batches") && status.contains("last upload: 20"), status);
    }

    @Test
    void theIamPolicyAllowsPutObjectOnBatchesAndMetadataOnly() throws Exception {
        JsonNode policy = BatchCodec.json().readTree(Files.readAllBytes(Path.of("dist", "iam-policy.json")));
        List<String> actions = new ArrayList<>();
        List<String> resources = new ArrayList<>();
        for (JsonNode st : policy.path("Statement")) {
            assertEquals("Allow", st.path("Effect").asText());
            assertTrue(st.path("NotAction").isMissingNode() && st.path("NotResource").isMissingNode());
            st.path("Action").forEach(a -> actions.add(a.asText()));
            if (st.path("Action").isTextual()) {
                actions.add(st.path("Action").asText());
            }
            st.path("Resource").forEach(r -> resources.add(r.asText()));
        }
        assertEquals(List.of("s3:PutObject"), actions);
        assertEquals(List.of("arn:aws:s3:::BUCKET/PREFIX/batches/*", "arn:aws:s3:::BUCKET/PREFIX/metadata/*"),
                resources);
    }

    @Test
    void theUnitRunsAsRootAlwaysRestartsAndIsSandboxedButSeesEveryProcess() throws Exception {
        List<String> lines = Files.readAllLines(Path.of("dist", "taskmeter-shipper.service"));
        for (String required : List.of("User=root", "Restart=always", "EnvironmentFile=-/etc/taskmeter/shipper.env",
                "ProtectSystem=strict", "ReadWritePaths=/var/lib/taskmeter", "NoNewPrivileges=yes",
                "ProtectProc=default", "ExecStart=/opt/taskmeter/bin/taskmeter-shipper")) {
            assertTrue(lines.contains(required), required);
        }
        // hidepid-style settings would hide other users' processes from the shipper
        assertTrue(lines.stream().noneMatch(l -> l.startsWith("ProtectProc=invisible") || l.startsWith("ProcSubset=pid")));
        assertTrue(lines.stream().noneMatch(l -> l.startsWith("MemoryDenyWriteExecute=yes")), "the JIT needs W+X");
    }
}

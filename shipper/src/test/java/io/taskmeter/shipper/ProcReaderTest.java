package io.taskmeter.shipper;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProcReaderTest {

    @Test
    void statFieldsAreCountedAfterTheLastParenthesis() {
        String line = "4242 (evil) R 1 (x) S 99 4242 4242 0 -1 4194304 100 0 0 0 150 50 20 10 20 0 1 0 123456 "
                + "10000000 2500 18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n";
        ProcStat s = ProcReader.parseStat(4242, line);
        assertEquals("evil) R 1 (x", s.comm());
        assertEquals('S', s.state());
        assertEquals(99, s.ppid());
        assertEquals(200, s.selfTicks());
        assertEquals(30, s.childTicks());
        assertEquals(123456, s.startTicks());
        assertEquals(2500, s.rssPages());
        assertNull(ProcReader.parseStat(1, "garbage"));
        assertNull(ProcReader.parseStat(1, null));
    }

    @Test
    void vanishedProcessesReadAsGoneNotAsErrors() {
        ProcReader proc = new ProcReader();
        int pid = Integer.MAX_VALUE - 1;
        assertNull(proc.stat(pid));
        assertEquals(ProcIo.ZERO, proc.io(pid));
        assertEquals(0, proc.peakRssBytes(pid));
        assertNull(proc.cmdline(pid));
        assertTrue(proc.hz() > 0 && proc.pageSize() >= 4096);
        assertTrue(proc.bootId().matches("[0-9a-f-]{36}"), proc.bootId());
    }

    @Test
    void environKeepsOnlyAllowListedVariables(@org.junit.jupiter.api.io.TempDir Path fakeProc) throws Exception {
        Files.createDirectories(fakeProc.resolve("7"));
        String big = "x".repeat(10_000);
        String environ = "DB_PASSWORD=hunter2\0TASKMETER_TASK=etl\0TASKMETER_TASKX=no\0HUGE=" + big
                + "\0AIRFLOW_CTX_DAG_ID=d1\0=odd\0TASKMETER_RUN=" + big + "\0PREFECT__FLOW_RUN_ID=f1";
        Files.write(fakeProc.resolve("7/environ"), environ.getBytes(StandardCharsets.UTF_8));
        EnvironReader reader = new EnvironReader(fakeProc);
        assertEquals(Map.of("TASKMETER_TASK", "etl", "AIRFLOW_CTX_DAG_ID", "d1", "PREFECT__FLOW_RUN_ID", "f1"),
                reader.read(7));
        assertEquals(Map.of(), reader.read(8), "gone");
    }
}

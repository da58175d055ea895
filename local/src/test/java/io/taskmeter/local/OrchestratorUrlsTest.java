package io.taskmeter.local;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OrchestratorUrlsTest {
    @Test
    void optionsWinOverTheEnvironmentAndAreTakenOutOfTheArguments() {
        List<String> args = new ArrayList<>(List.of("--once", "--airflow-url", "http://airflow:8080",
                "--airflow-password", "hunter2"));
        OrchestratorUrls urls = OrchestratorUrls.take(args, Map.of("TASKMETER_AIRFLOW_URL", "http://other",
                "TASKMETER_PREFECT_URL", "https://api.prefect.cloud/api/accounts/a/workspaces/w",
                "TASKMETER_PREFECT_API_KEY", "pnu_x"));
        assertEquals(List.of("--once"), args);
        assertEquals(List.of("airflow=http://airflow:8080", "prefect=https://api.prefect.cloud/api/accounts/a/workspaces/w"),
                urls.specs());
        assertEquals("hunter2", urls.airflowPassword());
        assertFalse(urls.toString().contains("hunter2") || urls.toString().contains("pnu_x"), urls.toString());
        assertTrue(urls.any());
    }

    @Test
    void badUrlsAreRefusedWithTheOptionName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OrchestratorUrls.take(new ArrayList<>(List.of("--prefect-url", "localhost:4200")), Map.of()));
        assertTrue(e.getMessage().contains("--prefect-url"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> OrchestratorUrls.take(new ArrayList<>(List.of("--airflow-url")), Map.of()));
        assertFalse(OrchestratorUrls.take(new ArrayList<>(), Map.of()).any());
    }
}

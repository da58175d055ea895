package io.taskmeter.core.identity;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CommandLineRedactorTest {
    final CommandLineRedactor redactor = new CommandLineRedactor(List.of("(?i)(--tenant-code=)(\\S+)"));

    @Test
    void removesEverySecretShape() {
        String[] secrets = {"hunter2", "s3cr3tT0ken", "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMIbPxRfiCYEXAMPLEKEY",
                "pgpass99", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
                "abcdefgh12345678", "ghp_0123456789abcdefghijABCDEFGHIJ", "tenant42", "pw-space"};
        String cmd = "psql --password=hunter2 token=s3cr3tT0ken AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE "
                + "aws_secret_access_key=wJalrXUtnFEMIbPxRfiCYEXAMPLEKEY postgresql://etl:pgpass99@db:5432/x "
                + "--header 'Authorization: Bearer abcdefgh12345678' "
                + "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U "
                + "git clone ghp_0123456789abcdefghijABCDEFGHIJ --tenant-code=tenant42 --db-password pw-space";
        String out = redactor.redact(cmd);
        for (String s : secrets) {
            assertFalse(out.contains(s), () -> "leaked " + s + " in " + out);
        }
        assertTrue(out.startsWith("psql --password=***"), out);
        assertTrue(out.contains("postgresql://etl:***@db:5432/x"), out);
    }

    @Test
    void leavesOrdinaryCommandsAlone() {
        String cmd = "airflow task runner: etl_daily extract manual__2026-11-22T10:00:00+00:00 12";
        assertEquals(cmd, redactor.redact(cmd));
        assertEquals("python train.py --epochs 3 --out s3://bucket/models",
                redactor.redact("python train.py --epochs 3 --out s3://bucket/models"));
    }
}

package io.taskmeter.local;

import io.taskmeter.shipper.Shipper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs a command as a tagged task, so its whole tree is one unit. The command runs under a bash that waits for
 * it (reaping folds the tree's CPU and I/O into bash's counters) and then stops itself: the final sample is taken
 * while the totals are exact, then bash is let go and exits with the command's code.
 */
final class ObservedCommand {
    private final List<String> command;
    private final String task;
    private final String run;

    ObservedCommand(List<String> command, String task, String run) {
        this.command = command;
        this.task = task;
        this.run = run;
    }

    int run(Shipper shipper) throws IOException, InterruptedException {
        List<String> argv = new ArrayList<>(List.of("bash", "-c", "\"$@\"; rc=$?; kill -STOP $$; exit $rc", "taskmeter-run"));
        argv.addAll(command);
        ProcessBuilder pb = new ProcessBuilder(argv).inheritIO();
        pb.environment().put("TASKMETER_TASK", task);
        pb.environment().put("TASKMETER_RUN", run);
        Process p = pb.start();
        Path stat = Path.of("/proc/" + p.pid() + "/stat");
        while (p.isAlive()) {
            if (stopped(stat)) {
                shipper.sampleNow();
                new ProcessBuilder("kill", "-CONT", Long.toString(p.pid())).start().waitFor();
                break;
            }
            Thread.sleep(10);
        }
        return p.waitFor();
    }

    private static boolean stopped(Path stat) {
        try {
            String s = Files.readString(stat);
            return s.charAt(s.lastIndexOf(')') + 2) == 'T';
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}

package io.taskmeter.shipper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The shipper's config file: lines {@code name = value}, names as the flags without their dashes, '#' starting a
 * comment line, blank lines ignored. A name may repeat ({@code redact}); the last value wins for the others. An
 * unknown name or a line without '=' is an error naming the line, so a typo never silently leaves a default.
 */
final class ConfigFile {
    private ConfigFile() {
    }

    static Map<String, List<String>> read(Path file, Set<String> valued) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read config file " + file, e);
        }
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int eq = line.indexOf('=');
            String where = file + " line " + (i + 1) + ": ";
            if (eq < 0) {
                throw new IllegalArgumentException(where + "expected name = value");
            }
            String name = line.substring(0, eq).strip();
            String value = line.substring(eq + 1).strip();
            if (name.equals("config")) {
                throw new IllegalArgumentException(where + "a config file cannot name another");
            }
            if (!valued.contains(name) && !name.equals("once")) {
                throw new IllegalArgumentException(where + "unknown setting '" + name + "'");
            }
            out.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
        }
        return out;
    }
}

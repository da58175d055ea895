package io.taskmeter.pollers;

import io.taskmeter.core.metadata.MetadataCodec;
import io.taskmeter.core.metadata.MetadataDocument;
import io.taskmeter.core.metadata.MetadataFormatException;
import io.taskmeter.core.metadata.MetadataRecord;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;

/** The documents a poll loop handed on, each through the real codec as the shipper would ship it. */
final class Collected implements Consumer<MetadataDocument> {
    static final Path WORK = Path.of("target", "pollers-test").toAbsolutePath();

    final List<MetadataDocument> documents = new ArrayList<>();

    static Path newDir() throws IOException {
        return Files.createDirectories(WORK.resolve(UUID.randomUUID().toString()));
    }

    @Override
    public synchronized void accept(MetadataDocument doc) {
        try {
            documents.add(MetadataCodec.decode(MetadataCodec.encode(doc)));
        } catch (MetadataFormatException e) {
            throw new AssertionError(e);
        }
    }

    synchronized List<MetadataRecord> records() {
        return documents.stream().flatMap(d -> d.records().stream()).toList();
    }

    /** One line per record, enough to tell records apart and see their state. */
    synchronized List<String> described() {
        List<String> out = new ArrayList<>();
        for (MetadataRecord r : records()) {
            out.add(describe(r));
        }
        return out;
    }

    static String describe(MetadataRecord r) {
        return switch (r.type()) {
            case MetadataRecord.TASK_INSTANCE -> r.dagOrFlow() + "/" + r.task() + "/" + r.mapIndex() + "/"
                    + r.tryNumber() + " " + r.rawState();
            case MetadataRecord.DAG_RUN -> "run " + r.dagOrFlow() + "/" + r.run() + " " + r.rawState();
            default -> r.type() + " " + r.id() + " " + r.rawState();
        };
    }

    synchronized void clear() {
        documents.clear();
    }
}

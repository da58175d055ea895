package io.taskmeter.core.batch;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipException;

/**
 * Batch format v1: one gzip-compressed JSON document (docs/batch-format.md). The only writer and reader of batches;
 * the reader rejects anything it cannot fully trust with a reason, so nothing half-valid reaches the tables.
 */
public final class BatchCodec {
    /** A batch of 1,500 processes at 1 s for 60 s is a few MiB; anything far larger is an attack or a bug. */
    public static final long MAX_DECODED_BYTES = 64L << 20;

    /**
     * Limits of the parser itself. Built into the factory: {@code overrideDefaultStreamReadConstraints} in a static
     * block after this field came too late and left Jackson's defaults (depth 1000, strings of 20 MB) in force.
     */
    static final StreamReadConstraints READ_LIMITS = StreamReadConstraints.builder()
            .maxNestingDepth(64).maxStringLength(1 << 20).build();

    private static final ObjectMapper JSON = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(READ_LIMITS).build())
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .serializationInclusion(JsonInclude.Include.ALWAYS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private BatchCodec() {
    }

    public static byte[] encode(Batch batch) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(16 * 1024);
        try (GZIPOutputStream gzip = new GZIPOutputStream(bytes, 64 * 1024)) {
            JSON.writeValue(gzip, batch);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode batch " + batch.batchId(), e);
        }
        return bytes.toByteArray();
    }

    public static Batch decode(byte[] gzipped) throws BatchFormatException {
        return decode(new ByteArrayInputStream(gzipped));
    }

    public static Batch decode(InputStream gzipped) throws BatchFormatException {
        byte[] json = gunzip(gzipped);
        JsonNode tree;
        try {
            tree = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new BatchFormatException("not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new BatchFormatException("unreadable JSON: " + e.getMessage(), e);
        }
        if (tree == null || !tree.isObject()) {
            throw new BatchFormatException("not a JSON object");
        }
        String format = tree.path("format").asText("");
        if (!Batch.FORMAT.equals(format)) {
            throw new BatchFormatException("format is '" + format + "', expected '" + Batch.FORMAT + "'");
        }
        String version = tree.path("version").asText("");
        if (!version.matches("\\d{1,9}\\.\\d{1,9}")) {
            throw new BatchFormatException("version '" + version + "' is not MAJOR.MINOR");
        }
        int major = Integer.parseInt(version.substring(0, version.indexOf('.')));
        if (major != Batch.MAJOR) {
            throw new BatchFormatException("unsupported major version " + major + " (this reader understands "
                    + Batch.MAJOR + ".x); upgrade the pipeline before the shippers");
        }
        Batch batch;
        try {
            batch = JSON.treeToValue(tree, Batch.class);
        } catch (JsonProcessingException e) {
            throw new BatchFormatException("field of the wrong type: " + e.getOriginalMessage());
        }
        BatchValidator.validate(batch);
        return batch;
    }

    private static byte[] gunzip(InputStream in) throws BatchFormatException {
        try (GZIPInputStream gzip = new GZIPInputStream(in, 64 * 1024)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(64 * 1024);
            byte[] buffer = new byte[64 * 1024];
            long total = 0;
            for (int n; (n = gzip.read(buffer)) > 0; ) {
                total += n;
                if (total > MAX_DECODED_BYTES) {
                    throw new BatchFormatException("decompresses to more than " + MAX_DECODED_BYTES + " bytes");
                }
                out.write(buffer, 0, n);
            }
            return out.toByteArray();
        } catch (ZipException e) {
            throw new BatchFormatException("not gzip: " + e.getMessage());
        } catch (java.io.EOFException e) {
            throw new BatchFormatException("truncated gzip stream (unexpected end of file)");
        } catch (IOException e) {
            throw new BatchFormatException("unreadable gzip stream: " + e.getMessage(), e);
        }
    }

    /** The shared JSON settings, for code that writes documents next to batches (metadata, reports). */
    public static ObjectMapper json() {
        return JSON;
    }

}

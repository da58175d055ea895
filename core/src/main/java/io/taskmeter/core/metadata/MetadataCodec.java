package io.taskmeter.core.metadata;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/** Writes and reads metadata documents (gzip JSON, snake case). The only writer and reader. */
public final class MetadataCodec {
    public static final long MAX_DECODED_BYTES = 64L << 20;

    private static final ObjectMapper JSON = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64)
                            .maxStringLength(1 << 20).build()).build())
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .serializationInclusion(JsonInclude.Include.NON_NULL)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .build();

    private MetadataCodec() {
    }

    /** The mapper of documents: snake case, nulls left out, unknown fields ignored. */
    public static ObjectMapper json() {
        return JSON;
    }

    public static byte[] encode(MetadataDocument doc) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(8 * 1024);
        try (GZIPOutputStream gzip = new GZIPOutputStream(bytes)) {
            JSON.writeValue(gzip, doc);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    public static MetadataDocument decode(byte[] gzipped) throws MetadataFormatException {
        byte[] json;
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gzipped))) {
            json = in.readNBytes((int) MAX_DECODED_BYTES + 1);
        } catch (IOException e) {
            throw new MetadataFormatException("not gzip: " + e.getMessage(), e);
        }
        if (json.length > MAX_DECODED_BYTES) {
            throw new MetadataFormatException("decompresses to more than " + MAX_DECODED_BYTES + " bytes");
        }
        return decodeJson(json);
    }

    public static MetadataDocument decodeJson(byte[] json) throws MetadataFormatException {
        JsonNode tree;
        try {
            tree = JSON.readTree(json);
        } catch (IOException e) {
            throw new MetadataFormatException("not JSON: " + e.getMessage(), e);
        }
        if (tree == null || !tree.isObject()) {
            throw new MetadataFormatException("not a JSON object");
        }
        if (!MetadataDocument.FORMAT.equals(tree.path("format").asText(null))) {
            throw new MetadataFormatException("format is not " + MetadataDocument.FORMAT);
        }
        String version = tree.path("version").asText("");
        if (!version.matches("\\d+\\.\\d+")) {
            throw new MetadataFormatException("malformed version '" + version + "'");
        }
        if (!version.startsWith(MetadataDocument.MAJOR + ".")) {
            throw new MetadataFormatException("unsupported major version " + version.substring(0, version.indexOf('.')));
        }
        if (!tree.path("records").isArray()) {
            throw new MetadataFormatException("records is not an array");
        }
        try {
            return JSON.treeToValue(tree, MetadataDocument.class);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new MetadataFormatException("unreadable: " + e.getMessage(), e);
        }
    }

    /** A hash of what the document says (source, instance, records), not of when it was observed. */
    static String contentHash(MetadataDocument doc) {
        ObjectNode content = JSON.createObjectNode();
        content.put("source", doc.source());
        content.put("instance", doc.instance());
        content.set("records", JSON.valueToTree(doc.records()));
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(
                    JSON.writeValueAsString(content).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 16);
        } catch (NoSuchAlgorithmException | JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A record as canonical JSON: what pollers compare to tell a changed record from an unchanged one. */
    public static String canonical(MetadataRecord r) {
        try {
            return JSON.writeValueAsString(r);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}

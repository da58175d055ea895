package io.taskmeter.core.metadata;

/** A metadata document that cannot be read: ingest quarantines it with this message as the reason. */
public final class MetadataFormatException extends Exception {
    public MetadataFormatException(String message) {
        super(message);
    }

    public MetadataFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}

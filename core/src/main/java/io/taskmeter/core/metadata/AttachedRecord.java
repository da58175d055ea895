package io.taskmeter.core.metadata;

/**
 * A metadata record tied to an attempt, with the rule that tied it ({@code metadata:ti_id},
 * {@code metadata:key+host+pid+start}, ...) and how sure that rule is.
 */
public record AttachedRecord(MetadataRecord record, String how, double confidence) {
}

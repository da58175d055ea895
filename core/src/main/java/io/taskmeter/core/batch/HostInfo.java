package io.taskmeter.core.batch;

/**
 * What the host is, so each batch can be priced alone.
 *
 * @param instanceType       EC2 instance type, or null when the host could not tell and none was configured
 * @param instanceTypeSource where {@code instanceType} came from: "ec2-metadata", "config" or "unknown"
 */
public record HostInfo(int cpus, long memoryBytes, String instanceType, String instanceTypeSource, String os) {
}

package io.taskmeter.core.metadata;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Prefect's {@code infrastructure_pid}, whose format depends on the worker and the Prefect version:
 * <ul>
 *   <li>{@code <pid>}: process worker (Prefect 2 process infrastructure);</li>
 *   <li>{@code <host>:<pid>}: process worker and runner (Prefect 2.x late, 3.x);</li>
 *   <li>{@code <docker url>:<container id>}: docker worker, e.g. {@code unix:///var/run/docker.sock:3f2a…};</li>
 *   <li>{@code <namespace>:<job>}, or {@code <cluster uid>:<namespace>:<job>}: kubernetes worker (newer versions
 *       put the cluster's kube-system namespace uid first);</li>
 *   <li>{@code <cluster>::<task arn>}: ECS worker.</li>
 * </ul>
 *
 * @param kind one of {@code process}, {@code docker}, {@code kubernetes}, {@code ecs}, {@code unknown}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record InfrastructurePid(String kind, String raw, String host, Integer pid, String dockerUrl,
                                String containerId, String clusterUid, String namespace, String job,
                                String cluster, String taskArn) {

    private static final java.util.regex.Pattern UUID = java.util.regex.Pattern.compile(
            "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    /** @return null for null or blank input; kind {@code unknown} for anything unrecognised */
    public static InfrastructurePid parse(String raw) {
        if (raw == null || raw.isBlank()) {
            return null;
        }
        String v = raw.strip();
        if (v.matches("\\d{1,10}")) {
            return new InfrastructurePid("process", v, null, pidOf(v), null, null, null, null, null, null, null);
        }
        int ecs = v.indexOf("::");
        if (ecs > 0 && v.length() > ecs + 2) {
            return new InfrastructurePid("ecs", v, null, null, null, null, null, null, null, v.substring(0, ecs),
                    v.substring(ecs + 2));
        }
        if (v.contains("://")) {
            int last = v.lastIndexOf(':');
            String url = v.substring(0, last);
            String container = v.substring(last + 1);
            if (last > v.indexOf("://") + 2 && !container.isEmpty()) {
                return new InfrastructurePid("docker", v, null, null, url, container, null, null, null, null, null);
            }
            return unknown(v);
        }
        String[] parts = v.split(":", -1);
        for (String p : parts) {
            if (p.isEmpty()) {
                return unknown(v);
            }
        }
        if (parts.length == 2 && parts[1].matches("\\d{1,10}")) {
            return new InfrastructurePid("process", v, parts[0], pidOf(parts[1]), null, null, null, null, null, null,
                    null);
        }
        if (parts.length == 2) {
            return new InfrastructurePid("kubernetes", v, null, null, null, null, null, parts[0], parts[1], null, null);
        }
        if (parts.length == 3 && UUID.matcher(parts[0]).matches()) {
            return new InfrastructurePid("kubernetes", v, null, null, null, null, parts[0], parts[1], parts[2], null,
                    null);
        }
        return unknown(v);
    }

    private static InfrastructurePid unknown(String v) {
        return new InfrastructurePid("unknown", v, null, null, null, null, null, null, null, null, null);
    }

    private static Integer pidOf(String s) {
        long n = Long.parseLong(s);
        return n > 0 && n <= Integer.MAX_VALUE ? (int) n : null;
    }
}

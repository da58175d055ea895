package io.taskmeter.aws;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.taskmeter.core.batch.BatchCodec;
import io.taskmeter.core.batch.TopProcess;
import io.taskmeter.core.usage.Intervals;
import io.taskmeter.core.usage.UsageSlice;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.taskmeter.aws.Items.n;
import static io.taskmeter.aws.Items.num;
import static io.taskmeter.aws.Items.s;
import static io.taskmeter.aws.Items.str;

/** A usage slice as a DynamoDB item, the same in the usage table and in an attempt's partition. */
public final class UsageItems {
    /** What is kept of a unit's command line. */
    static final int MAX_COMMAND_CHARS = 4096;

    private UsageItems() {
    }

    public static Map<String, AttributeValue> toItem(UsageSlice u, String pk, String sk) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put("pk", s(pk));
        item.put("sk", s(sk));
        item.put("unit_id", s(u.unitId()));
        item.put("batch_id", s(u.batchId()));
        item.put("host_id", s(u.hostId()));
        item.put("kind", s(u.kind()));
        item.put("how", s(u.how()));
        Map<String, AttributeValue> t = new HashMap<>();
        u.tags().forEach((k, v) -> t.put(k, s(v)));
        item.put("tags", AttributeValue.fromM(t));
        if (u.command() != null) {
            // A batch may carry a long command line (up to 128 KiB); one item holds at most 400 KB in all.
            String command = u.command();
            item.put("command", s(command.length() > MAX_COMMAND_CHARS
                    ? command.substring(0, MAX_COMMAND_CHARS - 1) + "…" : command));
        }
        item.put("started_ms", n(u.startedMs()));
        if (u.endedMs() != null) {
            item.put("ended_ms", n(u.endedMs()));
        }
        item.put("start_ms", n(u.startMs()));
        item.put("end_ms", n(u.endMs()));
        item.put("cpu_s", n(u.cpuSeconds()));
        item.put("peak_rss", n(u.peakRssBytes()));
        item.put("read_bytes", n(u.readBytes()));
        item.put("write_bytes", n(u.writeBytes()));
        item.put("rchar", n(u.rchar()));
        item.put("wchar", n(u.wchar()));
        item.put("max_procs", n(u.maxProcesses()));
        item.put("spawned", n(u.spawned()));
        item.put("disk_wait_samples", n(u.samplesInDiskWait()));
        item.put("intervals", s(u.intervals().toJson()));
        if (u.instanceType() != null) {
            item.put("instance_type", s(u.instanceType()));
        }
        item.put("host_cpus", n(u.hostCpus()));
        item.put("host_mem", n(u.hostMemoryBytes()));
        putDetail(item, u);
        return item;
    }

    /** Batch format 1.1 detail, written only when present so 1.0 usage keeps its item size. */
    private static void putDetail(Map<String, AttributeValue> item, UsageSlice u) {
        if (u.runningMs() + u.sleepingMs() + u.diskWaitMs() > 0) {
            item.put("run_ms", n(u.runningMs()));
            item.put("sleep_ms", n(u.sleepingMs()));
            item.put("dwait_ms", n(u.diskWaitMs()));
        }
        if (u.voluntarySwitches() + u.involuntarySwitches() > 0) {
            item.put("vcsw", n(u.voluntarySwitches()));
            item.put("ivcsw", n(u.involuntarySwitches()));
        }
        if (u.peakPssBytes() != null) {
            item.put("peak_pss", n(u.peakPssBytes()));
        }
        if (!u.topProcesses().isEmpty()) {
            try {
                item.put("top", s(BatchCodec.json().writeValueAsString(u.topProcesses())));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
        if (u.cgroup() != null) {
            item.put("cgroup", s(u.cgroup()));
        }
    }

    private static List<TopProcess> top(Map<String, AttributeValue> item) {
        String json = str(item, "top");
        if (json == null) {
            return List.of();
        }
        try {
            return List.of(BatchCodec.json().readValue(json, TopProcess[].class));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored top processes are not valid JSON: " + e.getOriginalMessage(), e);
        }
    }

    public static UsageSlice fromItem(Map<String, AttributeValue> item) {
        Map<String, String> tags = new LinkedHashMap<>();
        AttributeValue t = item.get("tags");
        if (t != null && t.hasM()) {
            t.m().forEach((k, v) -> tags.put(k, v.s()));
        }
        return new UsageSlice(str(item, "unit_id"), str(item, "batch_id"), str(item, "host_id"),
                str(item, "kind"), str(item, "how"), tags, str(item, "command"), num(item, "started_ms", 0),
                item.containsKey("ended_ms") ? num(item, "ended_ms", 0) : null, num(item, "start_ms", 0),
                num(item, "end_ms", 0), Items.dbl(item, "cpu_s"), num(item, "peak_rss", 0),
                num(item, "read_bytes", 0), num(item, "write_bytes", 0), num(item, "rchar", 0),
                num(item, "wchar", 0), (int) num(item, "max_procs", 0), num(item, "spawned", 0),
                (int) num(item, "disk_wait_samples", 0), Intervals.fromJson(str(item, "intervals")),
                str(item, "instance_type"), (int) num(item, "host_cpus", 1), num(item, "host_mem", 0),
                num(item, "run_ms", 0), num(item, "sleep_ms", 0), num(item, "dwait_ms", 0), num(item, "vcsw", 0),
                num(item, "ivcsw", 0), item.containsKey("peak_pss") ? num(item, "peak_pss", 0) : null, top(item),
                str(item, "cgroup"));
    }

    /** One item per unit and batch. */
    public static String batchSortKey(UsageSlice u) {
        return "B#" + u.batchId();
    }
}

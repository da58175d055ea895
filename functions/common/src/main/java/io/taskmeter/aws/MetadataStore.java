package io.taskmeter.aws;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.taskmeter.core.identity.Tags;
import io.taskmeter.core.metadata.AttachedRecord;
import io.taskmeter.core.metadata.JoinRules;
import io.taskmeter.core.metadata.MetadataCodec;
import io.taskmeter.core.metadata.MetadataDocument;
import io.taskmeter.core.metadata.MetadataRecord;
import io.taskmeter.core.usage.UsageSlice;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static io.taskmeter.aws.Items.n;
import static io.taskmeter.aws.Items.s;
import static io.taskmeter.aws.Items.str;

/**
 * Orchestrator records in the attempts table (docs/data-model.md), and the join between them and host units.
 * Every record version is its own item, keyed by what it is about and by its content, written once: a document
 * delivered twice, or an older one after a newer, adds nothing that the other order would not have added, and
 * readers merge versions ({@code OrchestratorFacts}) the same way whatever the order. Joins are decided when
 * read, over everything stored by then, so a record that lands after the usage re-attributes it and a unit
 * that lands after the record finds it.
 * <ul>
 *   <li>{@code A#<attempt>/R#<record>#<version>}: a record naming the attempt directly ({@link JoinRules#direct});</li>
 *   <li>{@code RUN#<record>/R#<version>}: DAG runs and flow runs;</li>
 *   <li>{@code J#K#<natural key hash>} and {@code J#H#<host>#<pid>}: join partitions, where records
 *       ({@code R#…}) and units ({@code U#<unit id>}) that may describe one task instance meet.</li>
 * </ul>
 */
public final class MetadataStore {
    /** A crash message can be a whole traceback; the state is what matters, the rest is kept short. */
    static final int MAX_MESSAGE_CHARS = 2000;

    private final DynamoDbClient ddb;
    private final String table;

    public MetadataStore(DynamoDbClient ddb, String table) {
        this.ddb = ddb;
        this.table = table;
    }

    /** Stores every record of a document; returns how many record versions were new. */
    public int store(MetadataDocument doc) {
        int stored = 0;
        for (MetadataRecord raw : doc.records()) {
            MetadataRecord r = raw.stateMessage() != null && raw.stateMessage().length() > MAX_MESSAGE_CHARS
                    ? raw.toBuilder().stateMessage(raw.stateMessage().substring(0, MAX_MESSAGE_CHARS) + "…").build()
                    : raw;
            String json = MetadataCodec.canonical(r);
            String about = hash(r.key());
            String version = hash(json);
            boolean fresh = false;
            if (MetadataRecord.DAG_RUN.equals(r.type()) || MetadataRecord.FLOW_RUN.equals(r.type())) {
                fresh |= putOnce("RUN#" + about, "R#" + version, json, "run", 1.0);
            }
            for (JoinRules.Direct d : JoinRules.direct(r)) {
                fresh |= putOnce(AttemptStore.attemptKey(d.attemptId()), "R#" + about + "#" + version, json,
                        "metadata:" + d.rule(), d.confidence());
            }
            String naturalKey = JoinRules.naturalKey(r);
            if (naturalKey != null) {
                fresh |= putOnce(byKey(naturalKey), "R#" + about + "#" + version, json, "join", 0);
            }
            JoinRules.HostPid hp = JoinRules.hostPid(r);
            if (hp != null) {
                fresh |= putOnce(byHostPid(hp.host(), hp.pid()), "R#" + about + "#" + version, json, "join", 0);
            }
            if (fresh) {
                stored++;
            }
        }
        return stored;
    }

    private boolean putOnce(String pk, String sk, String json, String how, double confidence) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put("pk", s(pk));
        item.put("sk", s(sk));
        item.put("record", s(json));
        item.put("how", s(how));
        item.put("confidence", n(confidence));
        try {
            ddb.putItem(b -> b.tableName(table).item(item).conditionExpression("attribute_not_exists(pk)"));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    /**
     * Makes a unit findable by records that describe it: under its natural key when it names DAG, run and task
     * (records with one are filed there too, host and pid included), else under its host and root pid. Fields
     * are set once; tags only add knowledge (a try number seen later), so every order of batches leaves the same
     * items.
     */
    public void indexUnit(String attemptId, UsageSlice u) {
        String pk = partition(u);
        if (pk != null) {
            putCandidate(pk, attemptId, u, rootPid(u.unitId()));
        }
    }

    /** The join partition a unit's slice is filed under; null when it names neither a key nor a host and pid. */
    private static String partition(UsageSlice u) {
        String naturalKey = JoinRules.naturalKey(u.kind(), u.tags());
        if (naturalKey != null) {
            return byKey(naturalKey);
        }
        Integer pid = rootPid(u.unitId());
        String host = JoinRules.shortHost(u.hostId());
        return pid != null && host != null ? byHostPid(host, pid) : null;
    }

    private void putCandidate(String pk, String attemptId, UsageSlice u, Integer pid) {
        Map<String, AttributeValue> values = new LinkedHashMap<>();
        values.put("attempt_id", s(attemptId));
        values.put("host_id", s(u.hostId()));
        values.put("started_ms", n(u.startedMs()));
        if (pid != null) {
            values.put("root_pid", n(pid));
        }
        if (u.tags().get(Tags.TRY_NUMBER) != null) {
            values.put("try_number", s(u.tags().get(Tags.TRY_NUMBER)));
        }
        StringBuilder expr = new StringBuilder("SET ");
        Map<String, String> names = new HashMap<>();
        Map<String, AttributeValue> params = new HashMap<>();
        int i = 0;
        for (Map.Entry<String, AttributeValue> e : values.entrySet()) {
            expr.append(i > 0 ? ", " : "").append("#f").append(i).append(" = if_not_exists(#f").append(i)
                    .append(", :v").append(i).append(')');
            names.put("#f" + i, e.getKey());
            params.put(":v" + i, e.getValue());
            i++;
        }
        ddb.updateItem(b -> b.tableName(table).key(Items.key(pk, "U#" + u.unitId()))
                .updateExpression(expr.toString()).expressionAttributeNames(names)
                .expressionAttributeValues(params));
    }

    /**
     * The records joined to an attempt through its units: for each join partition one of its units is in, each
     * record there goes to the unit {@link JoinRules#match} picks among all the partition's units; those that
     * pick one of this attempt's units are returned.
     */
    public List<AttachedRecord> joined(Collection<UsageSlice> slicesOfAttempt) {
        java.util.Set<String> units = new java.util.HashSet<>();
        // A unit learns its natural key from a child's environment: its early slices are filed by host and pid,
        // later ones by key, so every slice's partition is looked at.
        java.util.Set<String> partitions = new java.util.TreeSet<>();
        for (UsageSlice u : slicesOfAttempt) {
            units.add(u.unitId());
            String pk = partition(u);
            if (pk != null) {
                partitions.add(pk);
            }
        }
        List<AttachedRecord> out = new ArrayList<>();
        for (String pk : partitions) {
            List<JoinRules.UnitCandidate> candidates = new ArrayList<>();
            List<MetadataRecord> records = new ArrayList<>();
            var pages = ddb.queryPaginator(b -> b.tableName(table).keyConditionExpression("pk = :pk")
                    .expressionAttributeValues(Map.of(":pk", s(pk))).consistentRead(true));
            for (var page : pages) {
                for (Map<String, AttributeValue> item : page.items()) {
                    String sk = str(item, "sk");
                    if (sk.startsWith("U#")) {
                        candidates.add(new JoinRules.UnitCandidate(sk.substring(2), str(item, "attempt_id"),
                                str(item, "host_id"), (int) Items.num(item, "root_pid", -1), null,
                                Items.num(item, "started_ms", 0), str(item, "try_number")));
                    } else if (sk.startsWith("R#")) {
                        records.add(record(str(item, "record")));
                    }
                }
            }
            boolean byNaturalKey = pk.startsWith("J#K#");
            for (MetadataRecord r : records) {
                Optional<JoinRules.Match> m = JoinRules.match(r, candidates, byNaturalKey);
                if (m.isPresent() && units.contains(m.get().unit().unitId())) {
                    out.add(new AttachedRecord(r, m.get().how(), m.get().confidence()));
                }
            }
        }
        return out;
    }

    static MetadataRecord record(String json) {
        try {
            return MetadataCodec.json().readValue(json, MetadataRecord.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored metadata record is not valid JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** A stored record item as the attempt it sits under sees it. */
    static AttachedRecord attached(Map<String, AttributeValue> item) {
        return new AttachedRecord(record(str(item, "record")), str(item, "how"), Items.dbl(item, "confidence"));
    }

    /** The root pid from a unit id ({@code <boot id>/<root pid>/<start ticks>}, docs/batch-format.md). */
    static Integer rootPid(String unitId) {
        String[] parts = unitId.split("/");
        if (parts.length < 3) {
            return null;
        }
        try {
            return Integer.valueOf(parts[parts.length - 2]);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static String byKey(String naturalKey) {
        return "J#K#" + hash(naturalKey);
    }

    private static String byHostPid(String host, int pid) {
        return "J#H#" + host + "#" + pid;
    }

    private static String hash(String s) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

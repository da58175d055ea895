package io.taskmeter.core.metadata;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/**
 * One thing an orchestrator knows about, normalised: an Airflow task instance (one try) or DAG run, a Prefect
 * flow run or task run. The same shape for every source and API version, so ingest needs no per-source code.
 * Fields an orchestrator does not report are null. Written in snake case in metadata documents
 * (docs/orchestrators.md).
 *
 * @param type       {@link #TASK_INSTANCE}, {@link #DAG_RUN}, {@link #FLOW_RUN} or {@link #TASK_RUN}
 * @param source     {@code airflow} or {@code prefect}
 * @param api        {@code airflow-v1} (Airflow 2), {@code airflow-v2} (Airflow 3), {@code prefect}
 * @param id         Airflow 3 TaskInstance id (new per try), Prefect flow/task run id; null for Airflow 2
 * @param dagOrFlow  DAG id, or Prefect flow name (flow id when the name could not be looked up)
 * @param task       Airflow task id, Prefect task key (task runs); null for runs
 * @param run        DAG run id, or Prefect flow run id (for task runs: their flow run)
 * @param tryNumber  Airflow try number (Airflow 3 counts from 1 once a try starts; 0 before), Prefect run count
 * @param mapIndex   Airflow map index, -1 when not mapped
 * @param jobId      Airflow 2 LocalTaskJob id, when an API reports it (the stable REST API does not)
 * @param state      normalised state ({@link States}); {@code rawState} as the orchestrator wrote it
 * @param oomKilled  true only when the orchestrator says so (a Prefect crash message naming OOMKilled)
 * @param updatedMs  when the orchestrator last changed the object, if it says (Prefect {@code updated})
 * @param hostname   Airflow TaskInstance hostname: the worker host (FQDN as Airflow saw it)
 * @param pid        Airflow TaskInstance pid: of the task runner, in the task's own PID namespace
 * @param infrastructure Prefect {@code infrastructure_pid}, parsed
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record MetadataRecord(String type, String source, String api, String id, String dagOrFlow, String flowId,
                             String task, String taskName, String run, Integer tryNumber, Integer mapIndex,
                             String jobId, String state, String rawState, String stateMessage, Boolean oomKilled,
                             Long startMs, Long endMs, Long updatedMs, String hostname, Integer pid,
                             String unixname, String queue, String pool, Integer poolSlots, String operator,
                             String executor, String deploymentId, String deploymentName, String workPool,
                             String workQueue, List<String> tags, InfrastructurePid infrastructure,
                             Requests requests) {

    public static final String TASK_INSTANCE = "task_instance";
    public static final String DAG_RUN = "dag_run";
    public static final String FLOW_RUN = "flow_run";
    public static final String TASK_RUN = "task_run";

    public MetadataRecord {
        tags = tags == null ? null : List.copyOf(tags);
    }

    /**
     * What this record is about, the same in every poll: a record with the same key and newer content
     * replaces the older one.
     */
    @JsonIgnore
    public String key() {
        if (id != null) {
            return type + ":" + id;
        }
        return type + ":" + dagOrFlow + "\n" + run + "\n" + task + "\n" + mapIndex + "\n" + tryNumber;
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    public static Builder builder(String type, String source, String api) {
        return new Builder(type, source, api);
    }

    /** Parsers fill a record field by field. */
    public static final class Builder {
        String type, source, api, id, dagOrFlow, flowId, task, taskName, run;
        Integer tryNumber, mapIndex;
        String jobId, state, rawState, stateMessage;
        Boolean oomKilled;
        Long startMs, endMs, updatedMs;
        String hostname;
        Integer pid;
        String unixname, queue, pool;
        Integer poolSlots;
        String operator, executor, deploymentId, deploymentName, workPool, workQueue;
        List<String> tags;
        InfrastructurePid infrastructure;
        Requests requests;

        Builder(String type, String source, String api) {
            this.type = type;
            this.source = source;
            this.api = api;
        }

        Builder(MetadataRecord r) {
            this(r.type, r.source, r.api);
            id = r.id; dagOrFlow = r.dagOrFlow; flowId = r.flowId; task = r.task; taskName = r.taskName;
            run = r.run; tryNumber = r.tryNumber; mapIndex = r.mapIndex; jobId = r.jobId; state = r.state;
            rawState = r.rawState; stateMessage = r.stateMessage; oomKilled = r.oomKilled; startMs = r.startMs;
            endMs = r.endMs; updatedMs = r.updatedMs; hostname = r.hostname; pid = r.pid; unixname = r.unixname;
            queue = r.queue; pool = r.pool; poolSlots = r.poolSlots; operator = r.operator; executor = r.executor;
            deploymentId = r.deploymentId; deploymentName = r.deploymentName; workPool = r.workPool;
            workQueue = r.workQueue; tags = r.tags; infrastructure = r.infrastructure; requests = r.requests;
        }

        public Builder id(String v) { id = v; return this; }
        public Builder dagOrFlow(String v) { dagOrFlow = v; return this; }
        public Builder flowId(String v) { flowId = v; return this; }
        public Builder task(String v) { task = v; return this; }
        public Builder taskName(String v) { taskName = v; return this; }
        public Builder run(String v) { run = v; return this; }
        public Builder tryNumber(Integer v) { tryNumber = v; return this; }
        public Builder mapIndex(Integer v) { mapIndex = v; return this; }
        public Builder jobId(String v) { jobId = v; return this; }
        public Builder state(String v) { state = v; return this; }
        public Builder rawState(String v) { rawState = v; return this; }
        public Builder stateMessage(String v) { stateMessage = v; return this; }
        public Builder oomKilled(Boolean v) { oomKilled = v; return this; }
        public Builder startMs(Long v) { startMs = v; return this; }
        public Builder endMs(Long v) { endMs = v; return this; }
        public Builder updatedMs(Long v) { updatedMs = v; return this; }
        public Builder hostname(String v) { hostname = v; return this; }
        public Builder pid(Integer v) { pid = v; return this; }
        public Builder unixname(String v) { unixname = v; return this; }
        public Builder queue(String v) { queue = v; return this; }
        public Builder pool(String v) { pool = v; return this; }
        public Builder poolSlots(Integer v) { poolSlots = v; return this; }
        public Builder operator(String v) { operator = v; return this; }
        public Builder executor(String v) { executor = v; return this; }
        public Builder deploymentId(String v) { deploymentId = v; return this; }
        public Builder deploymentName(String v) { deploymentName = v; return this; }
        public Builder workPool(String v) { workPool = v; return this; }
        public Builder workQueue(String v) { workQueue = v; return this; }
        public Builder tags(List<String> v) { tags = v; return this; }
        public Builder infrastructure(InfrastructurePid v) { infrastructure = v; return this; }
        public Builder requests(Requests v) { requests = v; return this; }

        public MetadataRecord build() {
            return new MetadataRecord(type, source, api, id, dagOrFlow, flowId, task, taskName, run, tryNumber,
                    mapIndex, jobId, state, rawState, stateMessage, oomKilled, startMs, endMs, updatedMs, hostname,
                    pid, unixname, queue, pool, poolSlots, operator, executor, deploymentId, deploymentName,
                    workPool, workQueue, tags, infrastructure, requests);
        }
    }
}

package io.taskmeter.core.identity;

/** Names of the identity tags a unit carries, the same on the host, in batches and in the tables. */
public final class Tags {
    public static final String DAG_ID = "dag_id";
    public static final String TASK_ID = "task_id";
    public static final String RUN_ID = "run_id";
    public static final String TRY_NUMBER = "try_number";
    public static final String MAP_INDEX = "map_index";
    public static final String JOB_ID = "job_id";
    /** Airflow 3 TaskInstance UUID, new for every try. */
    public static final String TI_ID = "ti_id";
    public static final String FLOW_RUN_ID = "flow_run_id";
    public static final String FLOW_ID = "flow_id";
    public static final String FLOW_NAME = "flow_name";
    public static final String DEPLOYMENT_ID = "deployment_id";
    public static final String DEPLOYMENT_NAME = "deployment_name";
    /** Generic tag: any scheduler or script names its task with TASKMETER_TASK / TASKMETER_RUN. */
    public static final String TASK = "task";
    public static final String RUN = "run";
    public static final String FLOW = "flow";
    /** Requested resources declared by the task's launcher, when the orchestrator does not say. */
    public static final String CPU_REQUEST = "cpu_request";
    public static final String MEMORY_REQUEST = "memory_request";

    public static final String KIND_AIRFLOW = "airflow";
    public static final String KIND_PREFECT = "prefect";
    public static final String KIND_GENERIC = "generic";

    private Tags() {
    }
}

"""taskmeter listener plugin for Airflow 2.6+ and 3: pushes task-instance state changes to POST /v1/events.

Copy into $AIRFLOW_HOME/plugins/ on every scheduler/worker host and set, in the workers' environment:
  TASKMETER_EVENTS_URL    https://<insights API>/v1/events   (or http://127.0.0.1:8787/v1/events locally)
  TASKMETER_EVENTS_TOKEN  the shared secret configured as TASKMETER_EVENTS_TOKEN on the API

The body is the shape of the Airflow REST API ({"task_instances": [...]}), so taskmeter reads it with the same
parser as its pollers. It carries the Airflow 2 LocalTaskJob id (job_id) and the Airflow 3 TaskInstance id, which
name the attempt exactly as the host recognises it, plus hostname and pid for the (host, pid, start) join.
Posting happens on a daemon thread with a short timeout: a slow or unreachable taskmeter never delays a task,
and a failed post is only logged (the pollers, if running, fill the gap).
"""
import datetime
import json
import logging
import os
import socket
import threading
import urllib.request

from airflow.listeners import hookimpl
from airflow.plugins_manager import AirflowPlugin

log = logging.getLogger(__name__)
URL = os.environ.get("TASKMETER_EVENTS_URL")
TOKEN = os.environ.get("TASKMETER_EVENTS_TOKEN")


def _iso(d):
    return d.isoformat() if d else None


def _task_instance(ti, state):
    executor_config = getattr(ti, "executor_config", None)
    return {
        "id": str(ti.id) if getattr(ti, "id", None) else None,  # Airflow 3: new per try
        "job_id": getattr(ti, "job_id", None),  # Airflow 2: the runner's LocalTaskJob
        "dag_id": ti.dag_id,
        "task_id": ti.task_id,
        "dag_run_id": ti.run_id,
        "try_number": ti.try_number,
        "map_index": getattr(ti, "map_index", -1),
        "hostname": getattr(ti, "hostname", None) or socket.getfqdn(),
        "pid": getattr(ti, "pid", None) or os.getpid(),
        "start_date": _iso(getattr(ti, "start_date", None)),
        "end_date": _iso(getattr(ti, "end_date", None)),
        "updated_at": datetime.datetime.now(datetime.timezone.utc).isoformat(),
        "state": state,
        "queue": getattr(ti, "queue", None),
        "pool": getattr(ti, "pool", None),
        "pool_slots": getattr(ti, "pool_slots", None),
        "operator": getattr(ti, "operator", None),
        # As the REST API prints it; taskmeter reads pod_override requests/limits from it.
        "executor_config": str(executor_config) if executor_config else None,
    }


def _post(body):
    if not URL or not TOKEN:
        return
    request = urllib.request.Request(URL, data=json.dumps(body, default=str).encode(), method="POST",
                                     headers={"Content-Type": "application/json",
                                              "Authorization": "Bearer " + TOKEN})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            response.read()
    except Exception as e:  # never fail a task because taskmeter is unreachable
        log.warning("taskmeter: event not delivered (%s)", type(e).__name__)


def _send(ti, state):
    try:
        body = {"task_instances": [_task_instance(ti, state)]}
    except Exception as e:
        log.warning("taskmeter: could not describe task instance (%s)", type(e).__name__)
        return
    threading.Thread(target=_post, args=(body,), daemon=True).start()


class _Listener:
    # Argument names are a subset of both Airflow 2's and 3's hook specs, so one file serves both.
    @hookimpl
    def on_task_instance_running(self, previous_state, task_instance):
        _send(task_instance, "running")

    @hookimpl
    def on_task_instance_success(self, previous_state, task_instance):
        _send(task_instance, "success")

    @hookimpl
    def on_task_instance_failed(self, previous_state, task_instance):
        _send(task_instance, "failed")


class TaskmeterListenerPlugin(AirflowPlugin):
    name = "taskmeter_listener"
    listeners = [_Listener()]

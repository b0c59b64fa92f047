"""A check pass split into K shards, each a flow run of the `check-shard` deployment on a work pool.

The coordinator plans the shards once (articlewatch.shards: whole hosts per shard, the heaviest
hosts bin-packed, the rest hashed), starts one `check-articles/check-shard` run per shard with
`run_deployment(..., as_subflow=True)` (they show as its subflows), waits for all of them, and
returns a summary. Each shard selects its own due watches from the shared store, so no URL list
travels as a parameter; the per-URL records of a shard are its own run's result and artifact.
The summary's counts come from the shared index: the watches checked since the pass began.
"""

from __future__ import annotations

import time
from collections import Counter
from typing import Any, cast

from prefect import flow, get_run_logger
from prefect.client.orchestration import get_client
from prefect.client.schemas.objects import FlowRun
from prefect.deployments import run_deployment
from prefect.runtime import flow_run as this_flow_run

from articlewatch.config import Settings, load_settings
from articlewatch.errors import ArticlewatchError, ConfigError
from articlewatch.fetch import utc_now
from articlewatch.schedule import parse_time
from articlewatch.shards import host_counts, plan_shards
from articlewatch.store import SnapshotStore

SHARD_DEPLOYMENT = "check-articles/check-shard"
# How long the coordinator waits for its shards before it gives up on them (they keep running).
DEFAULT_TIMEOUT_SECONDS = 6 * 3600.0
POLL_SECONDS = 2.0
FINAL_STATES = ("COMPLETED", "FAILED", "CRASHED", "CANCELLED")


class ShardRunError(ArticlewatchError):
    """A shard's flow run did not complete."""


@flow(name="check-sharded", log_prints=False)
def check_due_sharded(
    shards: int = 2,
    store: str | None = None,
    check_all: bool = False,
    deployment: str = SHARD_DEPLOYMENT,
    timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
) -> dict[str, Any]:
    """Check the due (or all) watches in `shards` flow runs of `deployment`; wait; return a summary.

    The summary: the shards' flow runs and their final states, and the outcomes of the watches
    checked during the pass, summed. Fails, naming the shards, when a shard run did not complete.
    """
    logger = get_run_logger()
    if shards < 1:
        raise ConfigError(f"shards: must be at least 1, got {shards}")
    settings = load_settings(store)
    started = utc_now()
    with SnapshotStore(settings.store, settings.index) as snapshot_store:
        plan = plan_shards(host_counts(watch.url for watch in snapshot_store.watches()), shards)
    parent = this_flow_run.get_id() or started
    runs: list[FlowRun] = []
    for index in range(1, shards + 1):
        shard = f"{index}/{shards}"
        parameters: dict[str, Any] = {"shard": shard, "shard_plan": dict(plan.placed), "check_all": check_all}
        if store is not None:
            parameters["store"] = store
        # run_deployment is sync/async dispatched; called from sync code it returns the flow run.
        started_run = run_deployment(
            deployment,
            parameters=parameters,
            timeout=0,  # start them all, then wait for all
            as_subflow=True,
            idempotency_key=f"{parent}:{shard}",  # a retried coordinator does not start them twice
        )
        runs.append(cast(FlowRun, started_run))
    finished = _wait_for(runs, timeout_seconds)
    summary = _summary(settings, started, shards, finished)
    logger.info("sharded pass: %s", summary)
    _publish(summary)
    failed = [run for run in summary["runs"] if run["state"] != "COMPLETED"]
    if failed:
        names = ", ".join(f"shard {run['shard']} ({run['name']}: {run['state']})" for run in failed)
        raise ShardRunError(f"{len(failed)} of {shards} shard runs did not complete: {names}")
    return summary


def _wait_for(runs: list[FlowRun], timeout: float) -> list[FlowRun]:
    """The runs once each is in a final state, or as they are when `timeout` seconds have passed."""
    deadline = time.monotonic() + timeout
    latest = {run.id: run for run in runs}
    with get_client(sync_client=True) as client:
        while True:
            pending = [run_id for run_id, run in latest.items() if _state(run) not in FINAL_STATES]
            if not pending or time.monotonic() >= deadline:
                return [latest[run.id] for run in runs]
            time.sleep(POLL_SECONDS)
            for run_id in pending:
                latest[run_id] = client.read_flow_run(run_id)


def describe(summary: dict[str, Any]) -> str:
    """One line for a pass: "2 shards, 55 watches checked (new 50, error 5)"."""
    outcomes = ", ".join(f"{outcome} {count}" for outcome, count in summary["outcomes"].items())
    return f"{summary['shards']} shards, {summary['checked']} watches checked ({outcomes or 'none'})"


def _publish(summary: dict[str, Any]) -> None:
    """The pass as a table artifact of the coordinator's run: one row per shard run."""
    from prefect.artifacts import create_table_artifact

    create_table_artifact(
        table=summary["runs"], key="articlewatch-sharded-pass", description=describe(summary)
    )


def _state(run: FlowRun) -> str:
    return run.state.type.value if run.state is not None else "PENDING"


def _summary(settings: Settings, started: str, shards: int, runs: list[FlowRun]) -> dict[str, Any]:
    """Shard runs and the outcomes of the watches checked since `started`, from the shared index."""
    since = parse_time(started)
    with SnapshotStore(settings.store, settings.index) as snapshot_store:
        outcomes = Counter(
            watch.last_outcome or "unknown"
            for watch in snapshot_store.watches()
            if watch.last_checked and parse_time(watch.last_checked) >= since
        )
    return {
        "shards": shards,
        "runs": [
            {
                "shard": (run.parameters or {}).get("shard"),
                "flow_run_id": str(run.id),
                "name": run.name,
                "state": _state(run),
            }
            for run in runs
        ],
        "checked": sum(outcomes.values()),
        "outcomes": dict(sorted(outcomes.items())),
        "errors": outcomes.get("error", 0),
    }

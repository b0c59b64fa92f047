"""`articlewatch serve` with nothing set up: it starts its own Prefect server, runs the schedules'
flows, and on Ctrl-C stops, server included. Also: serve's table agrees with prefect.yaml."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from prefect.cli.deploy._models import PrefectYamlModel  # internal API: pinned prefect 3.8

from articlewatch.demo.articles import DemoArticle
from articlewatch.demo.newsroom import Newsroom
from articlewatch.fetch import utc_now
from articlewatch.store import SnapshotStore
from flows.local_server import DATABASE_FILE, stop_process_group

REPO = Path(__file__).resolve().parents[2]
ARTICLEWATCH = [sys.executable, "-m", "articlewatch.cli"]
TIMEOUT = 180.0


def test_serve_runs_the_same_schedules_as_prefect_yaml() -> None:
    from flows.serve import DEPLOYMENTS

    config = PrefectYamlModel.model_validate(yaml.safe_load((REPO / "prefect.yaml").read_text()))
    declared = {}
    for deployment in config.deployments:
        schedules = deployment.schedules or []
        assert len(schedules) <= 1, deployment.name
        interval = schedules[0].interval if schedules else None
        cron = schedules[0].cron if schedules else None
        limit = deployment.concurrency_limit
        strategy = getattr(limit, "collision_strategy", None) or "ENQUEUE"
        declared[deployment.name] = (
            deployment.entrypoint,
            interval,
            cron,
            getattr(limit, "limit", limit),
            str(strategy) if limit else None,
        )
    served = {
        s.name: (
            f"{s.flow.fn.__module__.replace('.', '/')}.py:{s.flow.fn.__name__}",
            s.interval,
            s.cron,
            s.limit,
            s.collision_strategy.value if s.limit else None,
        )
        for s in DEPLOYMENTS
    }
    assert served == declared
    assert declared["check-due-articles"][1] == timedelta(minutes=5)
    assert declared["discover-articles"][1] == timedelta(hours=1)


def _output(path: Path) -> str:
    return path.read_text(errors="replace") if path.exists() else ""


def _wait(what: str, probe: Any, log: Path, timeout: float = TIMEOUT) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = probe()
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError(f"{what}: not within {timeout:.0f} s; serve said:\n{_output(log)}")


def _answer(response: httpx.Response) -> Any:
    """The JSON of a Prefect API answer; None for 503, which its server gives while its SQLite
    database is busy (Prefect's own client retries those, and so does _wait)."""
    if response.status_code == 503:
        return None
    assert response.is_success, (response.status_code, response.text)
    return response.json()


def test_serve_starts_a_server_runs_a_flow_and_stops_everything_on_ctrl_c(
    tmp_path: Path, newsroom: Newsroom, seeds: dict[str, DemoArticle]
) -> None:
    url = newsroom.publish({"rt": seeds["rt"]})["rt"]
    store_dir = tmp_path / "store"
    with SnapshotStore(store_dir) as store:
        store.add_watch(url, utc_now())
    env = {k: v for k, v in os.environ.items() if k not in ("PREFECT_API_URL", "PREFECT_HOME")}
    env["PREFECT_RUNNER_POLL_FREQUENCY"] = "1"  # pick up a run within a second, not ten
    log_path = tmp_path / "serve.log"
    with open(log_path, "wb") as log:
        serving = subprocess.Popen(
            [*ARTICLEWATCH, "--store", str(store_dir), "serve"],
            env=env,
            cwd=tmp_path,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            # As in a terminal: Ctrl-C raises KeyboardInterrupt (a shell's background job ignores it).
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        )
    api_url = ""
    try:
        found = _wait(
            "serve to start its server",
            lambda: re.search(r"on the Prefect API at (http://127\.0\.0\.1:\d+/api)", _output(log_path)),
            log_path,
        )
        api_url = found.group(1)
        assert (store_dir / DATABASE_FILE).is_file()  # the server's database lives in the store
        api = httpx.Client(base_url=api_url, timeout=10.0)

        def served() -> dict[str, Any]:
            found = {d["name"]: d for d in _answer(api.post("/deployments/filter", json={})) or []}
            return found if len(found) == 5 else {}

        deployments = _wait("the five deployments", served, log_path)
        check_due = deployments["check-due-articles"]["id"]
        created = _wait(
            "a flow run of check-due-articles",
            lambda: _answer(api.post(f"/deployments/{check_due}/create_flow_run", json={})),
            log_path,
        )
        flow_run_id = created["id"]

        def finished() -> dict[str, Any] | None:
            run = _answer(api.get(f"/flow_runs/{flow_run_id}"))
            final = ("COMPLETED", "FAILED", "CRASHED", "CANCELLED")
            return run if run is not None and run["state_type"] in final else None

        run = _wait("the served flow run", finished, log_path)
        assert run["state_type"] == "COMPLETED", (run["state"], _output(log_path))
        assert len(list(store_dir.glob("*/*/*.json"))) == 1
        api.close()

        serving.send_signal(signal.SIGINT)
        serving.wait(timeout=60)
    finally:
        stop_process_group(serving)  # only if it is still there: a failed test must not leak it
    with pytest.raises(httpx.TransportError):
        httpx.get(f"{api_url}/health", timeout=5.0)  # the server went with it

"""prefect.yaml for real: a `prefect server`, a process work pool, `prefect deploy --all`, a worker, a run.

The same commands README tells a user to type, against a server on a free loopback port and a
local newsroom; nothing but 127.0.0.1 is reached. Every process started here is stopped in
`finally`, and every wait is bounded.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from articlewatch.demo.articles import DemoArticle
from articlewatch.demo.newsroom import Newsroom
from articlewatch.fetch import utc_now
from articlewatch.store import SnapshotStore
from flows.local_server import local_prefect_server, stop_process_group

REPO = Path(__file__).resolve().parents[2]
PREFECT = [sys.executable, "-m", "prefect", "--no-prompt"]
COMMAND_TIMEOUT = 180.0
RUN_TIMEOUT = 180.0
DEPLOYMENTS = {
    "check-due-articles": {"interval": 300.0},
    "discover-articles": {"interval": 3600.0},
    "daily-digest": {"cron": "0 7 * * *"},
}
# Deployed too, with no schedule: the sharded pass (tests/flows/test_shards_workers.py runs it).
ON_DEMAND = {"check-due-sharded", "check-shard"}


def prefect(args: list[str], env: dict[str, str], cwd: Path) -> str:
    """Run a prefect CLI command to its end; its output, or a failure that shows it."""
    done = subprocess.run(
        [*PREFECT, *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 0, f"prefect {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout + done.stderr


def wait_for(what: str, probe: Any, timeout: float, log: Path) -> Any:
    """Poll `probe` until it returns something truthy; fail with the worker's log after `timeout`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = probe()
        if value:
            return value
        time.sleep(1.0)
    raise AssertionError(
        f"{what}: not within {timeout:.0f} s; worker log:\n{log.read_text(errors='replace')}"
    )


def test_deploy_all_and_a_worker_run_check_due_articles(
    tmp_path: Path, newsroom: Newsroom, seeds: dict[str, DemoArticle]
) -> None:
    url = newsroom.publish({"cnbc": seeds["cnbc"]})["cnbc"]
    store_dir = tmp_path / "store"
    with SnapshotStore(store_dir) as store:
        store.add_watch(url, utc_now())

    # The user's defaults: politeness and robots.txt as shipped (conftest turns the delay off).
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_API_URL", "ARTICLEWATCH_"))}
    env["PREFECT_HOME"] = str(tmp_path / "prefect-home")
    started = time.monotonic()
    with local_prefect_server(tmp_path / "server", environ=env) as api_url:
        env.update(
            PREFECT_API_URL=api_url,
            ARTICLEWATCH_STORE=str(store_dir),
            PREFECT_WORKER_QUERY_SECONDS="1",  # poll for runs every second, not every 10
        )
        prefect(["work-pool", "create", "articlewatch", "--type", "process"], env, REPO)
        prefect(["deploy", "--all"], env, REPO)

        api = httpx.Client(base_url=api_url, timeout=10.0)
        deployments = {d["name"]: d for d in api.post("/deployments/filter", json={}).json()}
        assert set(deployments) == set(DEPLOYMENTS) | ON_DEMAND
        assert all(not deployments[name]["schedules"] for name in ON_DEMAND)
        for name, schedule in DEPLOYMENTS.items():
            deployment = deployments[name]
            [active] = [s["schedule"] for s in deployment["schedules"] if s["active"]]
            assert {key: active[key] for key in schedule} == schedule, name
            assert deployment["work_pool_name"] == "articlewatch"
            assert deployment["global_concurrency_limit"]["limit"] == 1, name
            # The pull step resolved at deploy time to the checkout deploy ran in.
            [step] = deployment["pull_steps"]
            assert step["prefect.deployments.steps.set_working_directory"]["directory"] == str(REPO)

        # The worker runs somewhere else: only the pull step can lead it to the flow code.
        worker_dir = tmp_path / "worker"
        worker_dir.mkdir()
        worker_log = tmp_path / "worker.log"
        with open(worker_log, "wb") as log:
            worker = subprocess.Popen(
                [*PREFECT, "worker", "start", "--pool", "articlewatch"],
                env=env,
                cwd=worker_dir,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            output = prefect(["deployment", "run", "check-articles/check-due-articles"], env, worker_dir)
            match = re.search(r"UUID: ([0-9a-f-]{36})", output)
            assert match, output
            flow_run_id = match.group(1)

            def finished() -> dict[str, Any] | None:
                run = api.get(f"/flow_runs/{flow_run_id}").json()
                return run if run["state_type"] in ("COMPLETED", "FAILED", "CRASHED", "CANCELLED") else None

            run = wait_for("the flow run to finish", finished, RUN_TIMEOUT, worker_log)
            assert run["state_type"] == "COMPLETED", (run["state"], worker_log.read_text(errors="replace"))

            # The scheduler is alive: it has put the coming runs of every deployment on the calendar.
            def scheduled() -> set[str]:
                runs = api.post(
                    "/flow_runs/filter", json={"flow_runs": {"state": {"type": {"any_": ["SCHEDULED"]}}}}
                ).json()
                ids = {run["deployment_id"] for run in runs}
                return {name for name, d in deployments.items() if d["id"] in ids}

            assert wait_for("scheduled runs", lambda: scheduled() == set(DEPLOYMENTS), 90, worker_log)
        finally:
            stop_process_group(worker)
            api.close()
    elapsed = time.monotonic() - started

    snapshots = sorted(store_dir.glob("*/*/*.json"))
    assert len(snapshots) == 1, snapshots
    with SnapshotStore(store_dir) as store:
        [watch] = store.watches()
    assert watch.last_outcome == "new" and watch.versions == 1
    # A robots.txt request went first, then the article, as the shipped defaults say.
    paths = [path for _, path in newsroom.requests]
    assert paths[0] == "/robots.txt" and paths.count(url[len(newsroom.base_url) :]) == 1
    assert elapsed < 300, f"took {elapsed:.0f} s"

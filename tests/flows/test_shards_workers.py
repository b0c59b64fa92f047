"""A sharded pass for real: a `prefect server`, `prefect deploy --all`, two shard workers and one
for the coordinator, all on 127.0.0.1, checking pages of several loopback sites in one shared store.

The commands are the ones README "Scaling out" tells a user to type. Every process started here
is stopped in `finally`, and every wait is bounded.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sites import Site, sites
from test_deployments_run import PREFECT, REPO, prefect, wait_for

from articlewatch.fetch import utc_now
from articlewatch.politeness import host_of
from articlewatch.store import SnapshotStore
from flows.local_server import local_prefect_server, stop_process_group

# Sites of different sizes: the big one must not be split, and the shards still both get work.
SIZES = {"metro": 24, "sport": 10, "world": 8, "culture": 6, "science": 4, "opinion": 3}
RUN_TIMEOUT = 240.0


def start_worker(name: str, args: list[str], env: dict[str, str], tmp_path: Path) -> subprocess.Popen[bytes]:
    """`prefect worker start` in a directory of its own, logging to <name>.log."""
    directory = tmp_path / name
    directory.mkdir()
    with open(tmp_path / f"{name}.log", "wb") as log:
        return subprocess.Popen(
            [*PREFECT, "worker", "start", "--pool", "articlewatch", "--name", name, *args],
            env=env,
            cwd=directory,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


@pytest.fixture(scope="module")
def pages() -> Iterator[list[Site]]:
    """The loopback sites for the module."""
    with sites(SIZES) as started:
        yield started


@dataclass(frozen=True)
class Pool:
    """The module's Prefect server with the deployments, two shard workers and a coordinator worker."""

    api: httpx.Client
    env: dict[str, str]
    logs: dict[str, Path]


@pytest.fixture(scope="module")
def pool(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pool]:
    """Started once for the module (a store per test comes as the pass's `store` parameter)."""
    tmp_path = tmp_path_factory.mktemp("pool")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_API_URL", "ARTICLEWATCH_"))}
    env["PREFECT_HOME"] = str(tmp_path / "prefect-home")
    env["ARTICLEWATCH_HOST_DELAY"] = "0"  # loopback sites: no 1 s pause between two pages of a host
    with local_prefect_server(tmp_path / "server", environ=env) as api_url, ExitStack() as workers:
        env.update(
            PREFECT_API_URL=api_url,
            PREFECT_WORKER_QUERY_SECONDS="1",  # poll for runs every second, not every 10
            PREFECT_LOGGING_LEVEL="INFO",  # the workers say which flow runs they submitted
        )
        prefect(["work-pool", "create", "articlewatch", "--type", "process"], env, REPO)
        prefect(["deploy", "--all"], env, REPO)
        # README: on each machine one worker for the shards queue, one run at a time; and one
        # worker (anywhere) for the default queue, where the coordinator runs.
        for name in ("shards-a", "shards-b"):
            worker = start_worker(name, ["--work-queue", "shards", "--limit", "1"], env, tmp_path)
            workers.callback(stop_process_group, worker)
        coordinator = start_worker("coordinator", ["--work-queue", "default"], env, tmp_path)
        workers.callback(stop_process_group, coordinator)
        api = httpx.Client(base_url=api_url, timeout=10.0)
        workers.callback(api.close)
        logs = {name: tmp_path / f"{name}.log" for name in ("shards-a", "shards-b", "coordinator")}
        # Every worker polling before a pass starts: one that came up late saw a first shard
        # worker finish its shard and take the second one too (a loaded machine, slow imports).
        wait_for("all three workers online", lambda: _online(api) >= set(logs), RUN_TIMEOUT, logs["shards-a"])
        yield Pool(api, env, logs)


def _online(api: httpx.Client) -> set[str]:
    """The names of the pool's workers the server has heard from lately."""
    workers = api.post("/work_pools/articlewatch/workers/filter", json={}).json()
    return {worker["name"] for worker in workers if worker.get("status") == "ONLINE"}


def test_two_workers_run_the_shards_of_one_pass(
    tmp_path: Path, pages: list[Site], pool: Pool, index_url: str | None
) -> None:
    """With the index in the store directory (SQLite), then in PostgreSQL (tests/pg_index.py)."""
    for site in pages:
        site.requests.clear()
    store_dir = tmp_path / "store"
    urls = [url for site in pages for url in site.urls()]
    with SnapshotStore(store_dir, index_url) as store:
        for url in urls:
            store.add_watch(url, utc_now())
    if index_url:  # the workers read it from the store's config file, as they would any setting
        (store_dir / "articlewatch.toml").write_text(f"index = {json.dumps(index_url)}\n")
    api, logs = pool.api, pool.logs
    started = time.monotonic()
    output = prefect(
        [
            "deployment",
            "run",
            "check-sharded/check-due-sharded",
            "--param",
            "shards=2",
            "--param",
            f"store={store_dir}",
        ],
        pool.env,
        tmp_path,
    )
    match = re.search(r"UUID: ([0-9a-f-]{36})", output)
    assert match, output
    parent_id = match.group(1)

    def finished() -> dict[str, Any] | None:
        run = api.get(f"/flow_runs/{parent_id}").json()
        return run if run["state_type"] in ("COMPLETED", "FAILED", "CRASHED", "CANCELLED") else None

    parent = wait_for("the sharded pass", finished, RUN_TIMEOUT, logs["coordinator"])
    every_log = "\n".join(f"--- {name}:\n{_read(path)}" for name, path in logs.items())
    assert parent["state_type"] == "COMPLETED", (parent["state"], every_log)

    # The two shards are the coordinator's subflows, one per shard, both completed.
    children = api.post(
        "/flow_runs/filter",
        json={"flow_runs": {"parent_flow_run_id": {"operator": "and_", "any_": [parent_id]}}},
    ).json()
    assert sorted(run["parameters"]["shard"] for run in children) == ["1/2", "2/2"], children
    assert all(run["state_type"] == "COMPLETED" for run in children), children

    # Each shard worker ran one of them: the shards ran side by side on both workers. (Both
    # workers may try to take a run; the server lets one have it, and only that one says this.)
    submitted = {
        name: {run["id"] for run in children if f"Flow run '{run['name']}' submitted to infra" in _read(log)}
        for name, log in logs.items()
    }
    assert not submitted["coordinator"], submitted
    assert len(submitted["shards-a"]) == len(submitted["shards-b"]) == 1, (submitted, every_log)
    assert submitted["shards-a"] != submitted["shards-b"]

    # Which hosts each shard checked: its run's artifact.
    hosts_of_shard: dict[str, set[str]] = {}
    for run in children:
        [artifact] = _artifacts(api, run["id"], "articlewatch-shard")
        hosts_of_shard[run["parameters"]["shard"]] = {row["host"] for row in _table(artifact["data"])}
    # The coordinator's summary, from the shared index.
    [summary] = _artifacts(api, parent_id, "articlewatch-sharded-pass")
    assert summary["description"] == f"2 shards, {len(urls)} watches checked (new {len(urls)})"
    assert sorted(row["state"] for row in _table(summary["data"])) == ["COMPLETED", "COMPLETED"]
    elapsed = time.monotonic() - started

    # No host was split, and between them the shards covered every host.
    all_hosts = {host_of(site.base_url) for site in pages}
    assert not hosts_of_shard["1/2"] & hosts_of_shard["2/2"], hosts_of_shard
    assert hosts_of_shard["1/2"] | hosts_of_shard["2/2"] == all_hosts
    assert all(hosts_of_shard.values()), "a shard got no host"

    # Every article: fetched once, exactly one snapshot, a `new` first version.
    for site in pages:
        assert all(site.requests[url[len(site.base_url) :]] == 1 for url in site.urls()), site.requests
    snapshots = Counter(path.parent for path in store_dir.glob("*/*/*.json"))
    assert len(snapshots) == len(urls) and set(snapshots.values()) == {1}, snapshots
    with SnapshotStore(store_dir, index_url) as store:
        watches = store.watches()
    assert {(w.last_outcome, w.versions) for w in watches} == {("new", 1)}
    assert elapsed < RUN_TIMEOUT, f"took {elapsed:.0f} s"


def _read(path: Path) -> str:
    return path.read_text(errors="replace") if path.exists() else ""


def _artifacts(api: httpx.Client, flow_run_id: str, key: str) -> list[dict[str, Any]]:
    """The artifacts with this key that a flow run created."""
    query = {"artifacts": {"flow_run_id": {"any_": [flow_run_id]}, "key": {"any_": [key]}}}
    return list(api.post("/artifacts/filter", json=query).json())


def _table(data: Any) -> list[dict[str, Any]]:
    """A table artifact's rows (the API keeps them as a JSON string)."""
    return list(json.loads(data)) if isinstance(data, str) else list(data)

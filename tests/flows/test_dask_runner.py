"""Batch tasks on a real Dask cluster (distributed.LocalCluster, two worker processes on 127.0.0.1)
through prefect-dask's DaskTaskRunner: the same records and snapshots as the thread runner."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from distributed import Client, LocalCluster
from sites import Site, sites

import flows.dask_runner
from articlewatch import remote
from articlewatch.fetch import utc_now
from articlewatch.store import SnapshotStore
from flows.local_server import free_loopback_port

SIZES = {"metro": 30, "sport": 12, "world": 9, "culture": 5}


@pytest.fixture(scope="module")
def cluster() -> Iterator[LocalCluster]:
    """Two Dask worker processes, two threads each, on loopback."""
    with LocalCluster(
        n_workers=2, threads_per_worker=2, processes=True, host="127.0.0.1", dashboard_address=None
    ) as local:
        yield local


@pytest.fixture(scope="module")
def pages() -> Iterator[list[Site]]:
    """The loopback sites for the module."""
    with sites(SIZES) as started:
        yield started


def watch_all(store_dir: Path, pages: list[Site]) -> list[str]:
    """Add every page of every site to a new store; the URLs."""
    urls = [url for site in pages for url in site.urls()]
    with SnapshotStore(store_dir) as store:
        for url in urls:
            store.add_watch(url, utc_now())
    return urls


def check_all(store_dir: Path) -> list[dict[str, Any]]:
    """One check_articles pass over every watch, with the settings of this process's environment."""
    from flows.check import check_articles

    return check_articles(store=str(store_dir), check_all=True)


def comparable(records: list[dict[str, Any]], store_dir: Path) -> list[tuple[Any, ...]]:
    """Records without the snapshot path (it names the store), each with its latest article."""
    with SnapshotStore(store_dir) as store:
        rows = []
        for record in records:
            latest = store.latest(record["url"])
            article = latest.article.to_dict() if latest else None
            rows.append(
                (
                    record["url"],
                    record["outcome"],
                    record["version"],
                    record["significant"],
                    record["changes"],
                    record["error"],
                    record["snapshot"] is not None,
                    article,
                )
            )
    return rows


def contexts_on_workers(cluster: LocalCluster) -> dict[str, int]:
    """How many batch contexts each Dask worker process has built (0: it checked no batch)."""
    with Client(cluster) as client:
        return dict(client.run(lambda: len(remote._contexts)))


def test_dask_gives_the_thread_runner_s_results(
    prefect_server: None,
    tmp_path: Path,
    pages: list[Site],
    cluster: LocalCluster,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    runs: dict[str, list[list[tuple[Any, ...]]]] = {}
    for runner in ("threads", "dask"):
        for site in pages:
            site.edited.clear()
        if runner == "dask":
            monkeypatch.setenv("ARTICLEWATCH_DASK_ADDRESS", cluster.scheduler_address)
        else:
            monkeypatch.delenv("ARTICLEWATCH_DASK_ADDRESS", raising=False)
        store_dir = tmp_path / runner
        urls = watch_all(store_dir, pages)
        first = check_all(store_dir)
        for site in pages:
            site.edited.update({2, 5})
        second = check_all(store_dir)
        assert [r["url"] for r in first] == [r["url"] for r in second] == urls
        runs[runner] = [comparable(first, store_dir), comparable(second, store_dir)]
        if runner == "threads":
            assert not any(contexts_on_workers(cluster).values())  # nothing went to Dask

    assert runs["dask"] == runs["threads"]
    first, second = runs["dask"]
    assert {row[1] for row in first} == {"new"}
    edited = {site.base_url + f"/news/{n}" for site in pages for n in (2, 5)}
    assert {row[0] for row in second if row[1] == "changed"} == edited
    assert {row[1] for row in second if row[0] not in edited} == {"unchanged"}
    # The batches ran in the Dask worker processes (which ones is the scheduler's choice), and a
    # worker builds its context once for all the batches and runs it gets.
    built = contexts_on_workers(cluster)
    assert sum(built.values()) >= 1 and set(built.values()) <= {0, 1}, built


def test_an_unreachable_scheduler_leaves_the_pass_to_this_process(
    prefect_server: None,
    tmp_path: Path,
    pages: list[Site],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr(flows.dask_runner, "CONNECT_TIMEOUT_SECONDS", 2)
    address = f"tcp://127.0.0.1:{free_loopback_port()}"  # nothing listens there
    monkeypatch.setenv("ARTICLEWATCH_DASK_ADDRESS", address)
    store_dir = tmp_path / "store"
    urls = watch_all(store_dir, pages[-1:])
    with caplog.at_level("WARNING"):
        records = check_all(store_dir)
    assert [(r["url"], r["outcome"]) for r in records] == [(url, "new") for url in urls]
    assert f"dask_address {address}: cannot reach the Dask scheduler" in caplog.text

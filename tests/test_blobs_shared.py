"""Workers in separate processes sharing one store on shared storage, and kill -9 in the middle of a write.

Two stand-ins for what several machines share: a directory addressed as a `file://` URL (a
shared filesystem such as NFS) and a real S3 API (moto's server on 127.0.0.1, reached through
s3fs). Each worker is its own process with its own store connection; they share the snapshot
files and one index database, as workers on several machines would.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import fsspec
import pytest
from article_pages import story_page

from articlewatch.blobs import open_blobs
from articlewatch.demo.newsroom import Newsroom
from articlewatch.store import SnapshotStore
from articlewatch.verify import verify_store

ARTICLES = 5
# The check pipeline in a worker process: the same stages and store writes as the flow's batches.
WORKER = """
import json, sys
from articlewatch.fetch import make_client
from articlewatch.pipeline import check_urls
from articlewatch.store import SnapshotStore
with SnapshotStore(sys.argv[1], sys.argv[2]) as store, make_client(5) as client:
    for result in check_urls(sys.argv[3:], store, client):
        print(json.dumps(result.to_record()), flush=True)
"""
S3_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "articlewatch-test",
    "AWS_SECRET_ACCESS_KEY": "articlewatch-test",
    "AWS_DEFAULT_REGION": "us-east-1",
}
BUCKET = "articlewatch-test"


@dataclass(frozen=True)
class SharedStore:
    """A store root URL, the index every worker uses, and the environment a worker needs."""

    root: str
    index: str
    env: dict[str, str]


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    """A real S3 API on 127.0.0.1 (moto's server), with one bucket, for the whole module."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    with pytest.MonkeyPatch.context() as patch:
        for name, value in S3_CREDENTIALS.items():
            patch.setenv(name, value)
        # fsspec's own configuration, as a user sets it ($FSSPEC_S3_ENDPOINT_URL in a worker).
        patch.setitem(fsspec.config.conf, "s3", {"endpoint_url": endpoint})
        fsspec.filesystem("s3").mkdir(BUCKET)
        yield endpoint
    server.stop()


WORKER_SETTINGS = {"ARTICLEWATCH_ROBOTS": "false", "ARTICLEWATCH_HOST_DELAY": "0"}


def s3_store(endpoint: str, index: str) -> SharedStore:
    """A fresh prefix of the test bucket, and what a worker needs to reach it."""
    root = f"s3://{BUCKET}/{uuid.uuid4().hex[:12]}"
    return SharedStore(root, index, {**WORKER_SETTINGS, **S3_CREDENTIALS, "FSSPEC_S3_ENDPOINT_URL": endpoint})


@pytest.fixture(params=["file", "s3"])
def shared(request: pytest.FixtureRequest, tmp_path: Path) -> SharedStore:
    """A fresh store on each stand-in for shared storage, its index a SQLite file all workers open."""
    index = f"sqlite:///{tmp_path / 'index.sqlite3'}"
    if request.param == "file":
        return SharedStore((tmp_path / "shared").as_uri(), index, dict(WORKER_SETTINGS))
    return s3_store(request.getfixturevalue("s3_endpoint"), index)


def start_worker(shared: SharedStore, urls: list[str], failpoint: str | None = None) -> subprocess.Popen[str]:
    """One worker process checking urls against the shared store."""
    env = {**os.environ, **shared.env}
    env.pop("ARTICLEWATCH_FAILPOINT", None)
    if failpoint:
        env["ARTICLEWATCH_FAILPOINT"] = failpoint
    command = [sys.executable, "-c", WORKER, shared.root, shared.index, *urls]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def records_of(worker: subprocess.Popen[str]) -> list[dict[str, object]]:
    stdout, stderr = worker.communicate(timeout=120)
    assert worker.returncode == 0, stderr[-2000:]
    return [json.loads(line) for line in stdout.splitlines()]


def versions(shared: SharedStore, urls: list[str]) -> list[int]:
    with SnapshotStore(shared.root, shared.index) as store:
        return [len(store.versions(url)) for url in urls]


def test_two_workers_share_one_store(newsroom: Newsroom, shared: SharedStore) -> None:
    two_workers_check_and_edit(newsroom, shared)


def test_two_workers_on_s3_with_a_postgresql_index(
    newsroom: Newsroom, s3_endpoint: str, postgres_index: str
) -> None:
    """The stack several machines use: snapshots on S3, the index in PostgreSQL."""
    two_workers_check_and_edit(newsroom, s3_store(s3_endpoint, postgres_index))


def two_workers_check_and_edit(newsroom: Newsroom, shared: SharedStore) -> None:
    """Two workers check the same URLs at once, twice, with an edit in between."""
    urls = [newsroom.put(f"/story/{n}", story_page(n)) for n in range(ARTICLES)]
    # Both workers check every URL at the same time: each content is stored once.
    first, second = start_worker(shared, urls), start_worker(shared, urls[::-1])
    records = records_of(first) + records_of(second)
    for url in urls:
        outcomes = sorted(str(record["outcome"]) for record in records if record["url"] == url)
        assert outcomes == ["new", "unchanged"], outcomes
    stored = [str(record["snapshot"]) for record in records if record["snapshot"]]
    assert len(stored) == ARTICLES and all(path.startswith(shared.root + "/127.0.0.1_") for path in stored)
    assert versions(shared, urls) == [1] * ARTICLES

    # An edit seen by either worker becomes version 2, once.
    newsroom.put("/story/2", story_page(2, "Correction: the library closes on Sundays."))
    first, second = start_worker(shared, urls), start_worker(shared, urls)
    records = records_of(first) + records_of(second)
    assert sorted(str(r["outcome"]) for r in records if r["url"] == urls[2]) == ["changed", "unchanged"]
    assert versions(shared, urls) == [1, 1, 2, 1, 1]
    assert verify_store(shared.root, shared.index) == []


@pytest.mark.parametrize(
    "failpoint",
    ["snapshot.temp:3", "snapshot.raw:2", "snapshot.json:2"],
    ids=["temp-written", "raw-written", "json-written"],
)
def test_kill_mid_write_leaves_no_half_version(
    newsroom: Newsroom, shared: SharedStore, failpoint: str
) -> None:
    urls = [newsroom.put(f"/story/{n}", story_page(n)) for n in range(ARTICLES)]
    killed = start_worker(shared, urls, failpoint)
    _, stderr = killed.communicate(timeout=120)
    assert killed.returncode == -signal.SIGKILL, stderr[-2000:]

    # Every JSON in the store is whole; what the kill left is a raw file without its JSON, or
    # a JSON the index does not list yet: nothing a reader could mistake for a version.
    blobs = open_blobs(shared.root)
    for directory in blobs.article_directories():
        for name in blobs.files(directory):
            if name.endswith(".json"):
                assert json.loads(blobs.read(f"{directory}/{name}"))["schema_version"] >= 1
    left = {problem.kind for problem in verify_store(shared.root, shared.index)}
    if failpoint.startswith("snapshot.temp"):
        # A file:// write leaves its temporary file; an object store's put never started.
        assert left == ({"unfinished"} if shared.root.startswith("file:") else set())
    else:
        assert left == ({"unfinished"} if failpoint.startswith("snapshot.raw") else {"unindexed"})

    # The next run finishes the work: one version per article, no leftover, nothing doubled.
    records = records_of(start_worker(shared, urls))
    assert sorted(str(record["url"]) for record in records) == sorted(urls)
    assert {str(record["outcome"]) for record in records} <= {"new", "unchanged"}
    assert versions(shared, urls) == [1] * ARTICLES
    assert verify_store(shared.root, shared.index) == []

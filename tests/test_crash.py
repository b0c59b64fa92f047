"""kill -9 in the middle of a check run: the store stays readable and the next run completes the work.

A check process is killed with SIGKILL at an exact step of a snapshot write
($ARTICLEWATCH_FAILPOINT, see articlewatch/failpoints.py), then run again without it.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from cli_process import cli_command, cli_environment

from articlewatch.demo.newsroom import Newsroom
from articlewatch.schemas import validate
from articlewatch.store import SnapshotStore
from articlewatch.verify import verify_store

ARTICLES = 6
# What a kill may leave behind: work the next write (or verify --repair) finishes. Never a
# half-written snapshot, a bad raw file or an index that disagrees with a file.
HARMLESS = {"unindexed", "unfinished"}


def page(number: int) -> str:
    return (
        f"<html><head><title>Story {number}</title></head><body><article><h1>Story {number}</h1>"
        + f"<p>The council met on day {number} and voted to keep the library open another year.</p>" * 3
        + "</article></body></html>"
    )


# The core pipeline in a process of its own: the same stages and store writes as the flow,
# without Prefect's start-up time, so several kill points stay cheap.
PIPELINE_RUN = """
import json, sys
from articlewatch.fetch import make_client
from articlewatch.pipeline import check_urls
from articlewatch.store import SnapshotStore
with SnapshotStore(sys.argv[1]) as store, make_client(5) as client:
    for result in check_urls(sys.argv[2:], store, client):
        print(json.dumps(result.to_record()), flush=True)
"""


def start_check(
    store_dir: Path, urls: list[str], failpoint: str | None, cli: bool = True
) -> subprocess.Popen[str]:
    """`articlewatch check --json URLS` (or the bare pipeline) in its own process."""
    env = cli_environment(
        failpoint, ARTICLEWATCH_ROBOTS="false", ARTICLEWATCH_HOST_DELAY="0", ARTICLEWATCH_HOST_CONCURRENCY="8"
    )
    if cli:
        command = cli_command(store_dir, "check", "--json", *urls)
    else:
        command = [sys.executable, "-c", PIPELINE_RUN, str(store_dir), *urls]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def assert_readable_after_kill(store_dir: Path) -> None:
    """Every snapshot on disk whole and valid, the index opens, nothing worse than leftovers."""
    for path in store_dir.glob("*/*/*.json"):
        validate("snapshot", json.loads(path.read_text(encoding="utf-8")), str(path))
    with SnapshotStore(store_dir) as store:
        store.watches()
    assert {problem.kind for problem in verify_store(store_dir)} <= HARMLESS


def assert_finished(store_dir: Path, urls: list[str], process: subprocess.Popen[str]) -> None:
    """The run after the kill exits 0, checks every URL, and leaves one version each, verified."""
    stdout, stderr = process.communicate(timeout=180)
    assert process.returncode == 0, stderr[-2000:]
    records = [json.loads(line) for line in stdout.splitlines()]
    assert sorted(record["url"] for record in records) == sorted(urls)
    assert {record["outcome"] for record in records} <= {"new", "unchanged"}, records
    with SnapshotStore(store_dir) as store:
        versions = [len(store.versions(url)) for url in urls]
    assert versions == [1] * len(urls), f"a version lost or doubled: {versions}"
    assert verify_store(store_dir) == []


@pytest.mark.parametrize(
    "failpoint",
    ["snapshot.temp:3", "snapshot.raw:2", "snapshot.json:2", "index.commit:9"],
    ids=["temp-file-written", "raw-renamed", "json-renamed", "after-a-commit"],
)
def test_kill_at_each_step_of_a_write(newsroom: Newsroom, store_dir: Path, failpoint: str) -> None:
    urls = [newsroom.put(f"/story/{n}", page(n)) for n in range(ARTICLES)]
    killed = start_check(store_dir, urls, failpoint, cli=False)
    _, stderr = killed.communicate(timeout=180)
    assert killed.returncode == -signal.SIGKILL, stderr[-2000:]
    assert_readable_after_kill(store_dir)
    assert_finished(store_dir, urls, start_check(store_dir, urls, None, cli=False))


def test_kill_of_a_real_check_command(prefect_server: None, newsroom: Newsroom, store_dir: Path) -> None:
    """The same through `articlewatch check`: its flow's threads write several articles at once."""
    urls = [newsroom.put(f"/story/{n}", page(n)) for n in range(ARTICLES)]
    killed = start_check(store_dir, urls, "snapshot.json:3")
    _, stderr = killed.communicate(timeout=180)
    assert killed.returncode == -signal.SIGKILL, stderr[-2000:]
    assert_readable_after_kill(store_dir)
    assert_finished(store_dir, urls, start_check(store_dir, urls, None))

"""A run's heartbeat events from flows.heartbeat: sent to a real Prefect server, stopped with the run."""

from __future__ import annotations

import threading
import time
from datetime import UTC
from pathlib import Path
from typing import Any

from articlewatch.demo.articles import DemoArticle
from articlewatch.demo.newsroom import Newsroom
from flows.heartbeat import HEARTBEAT_EVENT, THREAD_NAME


def heartbeats_by_run() -> dict[str, int]:
    """Heartbeat events the server has stored, counted per flow-run resource id."""
    from prefect.client.orchestration import get_client
    from prefect.events.filters import EventFilter, EventNameFilter, EventOccurredFilter

    event_filter = EventFilter(
        event=EventNameFilter(name=[HEARTBEAT_EVENT]),
        occurred=EventOccurredFilter(since=_since()),
    )
    counts: dict[str, int] = {}
    with get_client(sync_client=True) as client:
        for event in client.read_events(filter=event_filter, limit=50).events:
            counts[event.resource.id] = counts.get(event.resource.id, 0) + 1
    return counts


def _since() -> Any:
    from datetime import datetime, timedelta

    return datetime.now(UTC) - timedelta(hours=1)


def run_check(url: str, store_dir: Path, heartbeat: bool) -> list[dict[str, Any]]:
    """articlewatch's way to run check_articles (the CLI's), with heartbeats every 30 s asked for."""
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    from flows.check import run_check_articles

    with temporary_settings({PREFECT_FLOWS_HEARTBEAT_FREQUENCY: 30}):
        return run_check_articles(heartbeat=heartbeat, urls=[url], store=str(store_dir))


def new_runs(before: dict[str, int], wait_for_one: bool) -> dict[str, int]:
    """Heartbeat counts of runs not seen before; waits for the server to store the first one."""
    deadline = time.monotonic() + (30 if wait_for_one else 3)
    while True:
        fresh = {run: n for run, n in heartbeats_by_run().items() if run not in before}
        if (fresh and wait_for_one) or time.monotonic() > deadline:
            return fresh
        time.sleep(0.5)


class ThreadSpotter:
    """Watches, from its own thread, whether a thread of this name runs while the block runs."""

    def __init__(self, name: str) -> None:
        self.name, self.seen = name, False
        self._stop = threading.Event()
        self._watcher = threading.Thread(target=self._watch, daemon=True)

    def _watch(self) -> None:
        while not self._stop.wait(0.005):
            self.seen = self.seen or any(thread.name == self.name for thread in threading.enumerate())

    def __enter__(self) -> ThreadSpotter:
        self._watcher.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._watcher.join()


def test_a_run_sends_one_heartbeat_of_its_own_and_stops_it_with_the_run(
    prefect_server: None, newsroom: Newsroom, seeds: dict[str, DemoArticle], store_dir: Path
) -> None:
    url = newsroom.publish({"rt": seeds["rt"]})["rt"]
    before = heartbeats_by_run()
    with ThreadSpotter(THREAD_NAME) as spotter:
        [record] = run_check(url, store_dir, heartbeat=True)
    assert record["outcome"] == "new", record
    assert spotter.seen, "the run's heartbeat did not come from flows.heartbeat"
    # The heartbeat thread ended with the run: nothing left that a process exit would wait for.
    assert THREAD_NAME not in {thread.name for thread in threading.enumerate()}
    new_runs(before, wait_for_one=True)
    time.sleep(2)  # a second heartbeat (Prefect's own thread beside ours) would have arrived by now
    fresh = new_runs(before, wait_for_one=True)
    assert list(fresh.values()) == [1], fresh
    [run] = fresh
    assert run.startswith("prefect.flow-run.")


def test_no_heartbeat_when_the_caller_turned_it_off(
    prefect_server: None, newsroom: Newsroom, seeds: dict[str, DemoArticle], store_dir: Path
) -> None:
    url = newsroom.publish({"rt": seeds["rt"]})["rt"]
    before = heartbeats_by_run()
    [record] = run_check(url, store_dir, heartbeat=False)
    assert record["outcome"] == "new", record
    assert new_runs(before, wait_for_one=False) == {}

"""Per-host politeness: concurrency and delay per host, round-robin order, conditional GET costs a 304."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from articlewatch import pipeline
from articlewatch.demo.articles import DemoArticle
from articlewatch.demo.newsroom import Newsroom
from articlewatch.fetch import USER_AGENT, make_client
from articlewatch.politeness import HostGate, host_of, interleave_by_host, shared_gate
from articlewatch.store import SnapshotStore


class FakeClock:
    """A monotonic clock that only moves when someone sleeps."""

    def __init__(self) -> None:
        self.now = 100.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


class TimedNewsroom(Newsroom):
    """The real local newsroom, also noting when each request arrived and its User-Agent."""

    def __init__(self) -> None:
        super().__init__()
        self.arrivals: list[tuple[float, str]] = []

    def _record(self, method: str, path: str) -> None:
        self.arrivals.append((time.monotonic(), path))
        super()._record(method, path)


def test_requests_to_one_host_start_at_least_the_delay_apart() -> None:
    clock = FakeClock()
    gate = HostGate(concurrency=2, delay=1.5, clock=clock, sleep=clock.sleep)
    starts = []
    for _ in range(4):
        with gate.request("https://news.example/a"):
            starts.append(clock.now)
    assert [b - a for a, b in zip(starts, starts[1:], strict=False)] == [1.5, 1.5, 1.5]


def test_other_hosts_do_not_wait_for_a_busy_one() -> None:
    clock = FakeClock()
    gate = HostGate(concurrency=2, delay=5.0, clock=clock, sleep=clock.sleep)
    with gate.request("https://one.example/a"):
        pass
    with gate.request("https://two.example/a"), gate.request("https://three.example:8080/a"):
        pass
    assert clock.sleeps == []


def test_a_crawl_delay_slows_one_host_and_never_speeds_it_up() -> None:
    clock = FakeClock()
    gate = HostGate(concurrency=1, delay=1.0, clock=clock, sleep=clock.sleep)
    gate.slow_down("slow.example", 4.0)
    gate.slow_down("eager.example", 0.1)
    assert gate.delay_for("slow.example") == 4.0 and gate.delay_for("eager.example") == 1.0
    for _ in range(2):
        with gate.request("https://slow.example/x"):
            pass
    assert clock.sleeps == [4.0]


def test_no_more_than_n_requests_in_flight_per_host() -> None:
    gate = HostGate(concurrency=2, delay=0.0)
    in_flight = {"a.example": 0, "b.example": 0}
    peak = {"a.example": 0, "b.example": 0}
    lock = threading.Lock()

    def request(url: str) -> None:
        host = host_of(url)
        with gate.request(url):
            with lock:
                in_flight[host] += 1
                peak[host] = max(peak[host], in_flight[host])
            time.sleep(0.05)
            with lock:
                in_flight[host] -= 1

    urls = [f"https://{host}/{index}" for index in range(6) for host in ("a.example", "b.example")]
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(request, urls))
    assert peak == {"a.example": 2, "b.example": 2}


def test_the_gate_is_shared_by_the_whole_process() -> None:
    assert shared_gate(2, 1.0) is shared_gate(2, 1.0)
    assert shared_gate(2, 1.0) is not shared_gate(3, 1.0)


def test_interleave_by_host_keeps_each_hosts_order() -> None:
    urls = ["http://a/1", "http://a/2", "http://a/3", "http://b/1", "http://c:81/1", "http://b/2"]
    assert interleave_by_host(urls) == [
        "http://a/1",
        "http://b/1",
        "http://c:81/1",
        "http://a/2",
        "http://b/2",
        "http://a/3",
    ]


def test_real_fetches_through_the_gate_are_spaced_per_host(store: SnapshotStore) -> None:
    with TimedNewsroom() as room, make_client(5.0) as client:
        urls = [room.put(f"/story-{n}", f"<html><body><p>story {n}</p></body></html>") for n in range(3)]
        gate = HostGate(concurrency=2, delay=0.3)
        with ThreadPoolExecutor(max_workers=3) as pool:
            results = list(pool.map(lambda url: pipeline.fetch_stage(url, store, client, gate=gate), urls))
        assert [result.status for result in results] == [200, 200, 200]
        times = sorted(moment for moment, _ in room.arrivals)
    gaps = [later - earlier for earlier, later in zip(times, times[1:], strict=False)]
    assert all(gap >= 0.28 for gap in gaps), gaps


def test_an_unchanged_page_costs_a_304_no_extraction_and_no_snapshot(
    newsroom: Newsroom, seeds: dict[str, DemoArticle], store: SnapshotStore, store_dir: Path
) -> None:
    url = newsroom.publish({"cnbc": seeds["cnbc"]})["cnbc"]
    store.add_watch(url, "2026-03-10T12:00:00Z")
    with make_client(5.0) as client:
        first = pipeline.check_url(url, store, client)
        assert first.outcome == "new"
        files = sorted(store_dir.rglob("*.json"))
        fetched = pipeline.fetch_stage(url, store, client)
        assert fetched.status == 304 and fetched.not_modified and fetched.body == b""
        assert pipeline.extract_stage(fetched, store) is None  # nothing to extract
        comparison = pipeline.diff_stage(url, None, store)
        result = pipeline.store_stage(store, url, fetched, None, comparison)
    assert result.outcome == "unchanged" and result.snapshot is None and result.version == 1
    assert sorted(store_dir.rglob("*.json")) == files
    assert [check.outcome for check in store.checks(url)] == ["unchanged", "new"]
    # The ETag of the first answer was kept for the next conditional request.
    assert store.fetch_memo(url).etag is not None


def test_the_user_agent_names_articlewatch() -> None:
    assert USER_AGENT.startswith("articlewatch/") and "+http" in USER_AGENT


@pytest.mark.parametrize("bad", [(0, 1.0), (2, -1.0)])
def test_nonsense_limits_are_refused(bad: tuple[int, float]) -> None:
    with pytest.raises(ValueError, match="politeness"):
        HostGate(*bad)

"""Per-host politeness inside one process: at most N requests in flight and a minimum delay per host.

Every fetch of a run (article pages and robots.txt alike) passes through one HostGate, shared by
all the threads of the process. It is in-process on purpose: Prefect's global concurrency limits
cost an API round trip (~250 ms) per acquire, more than the fetch itself on a fast site.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

DEFAULT_HOST_CONCURRENCY = 2
DEFAULT_HOST_DELAY_SECONDS = 1.0


def host_of(url: str) -> str:
    """The host (and port) a URL's requests go to: the unit politeness is counted in."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    return f"{host}:{parts.port}" if parts.port else host


class HostGate:
    """Bounds the requests to each host: `concurrency` in flight, starts at least `delay` seconds apart."""

    def __init__(
        self,
        concurrency: int = DEFAULT_HOST_CONCURRENCY,
        delay: float = DEFAULT_HOST_DELAY_SECONDS,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if concurrency < 1 or delay < 0:
            raise ValueError(f"bad politeness limits: concurrency={concurrency}, delay={delay}")
        self.concurrency = concurrency
        self.delay = delay
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._slots: dict[str, threading.BoundedSemaphore] = {}
        self._next_start: dict[str, float] = {}
        self._host_delay: dict[str, float] = {}

    def slow_down(self, host: str, delay: float) -> None:
        """Space one host's requests further apart (a robots.txt Crawl-delay), never below the default."""
        with self._lock:
            self._host_delay[host] = max(delay, self.delay)

    def delay_for(self, host: str) -> float:
        """The minimum seconds between two request starts to a host."""
        with self._lock:
            return self._host_delay.get(host, self.delay)

    @contextmanager
    def request(self, url: str) -> Iterator[None]:
        """Hold one of the host's slots for the duration of a request, after waiting for its turn."""
        host = host_of(url)
        with self._lock:
            slot = self._slots.setdefault(host, threading.BoundedSemaphore(self.concurrency))
        with slot:
            with self._lock:
                # Reserve the start time under the lock, so two threads never take the same turn.
                now = self._clock()
                start = max(now, self._next_start.get(host, now))
                self._next_start[host] = start + self._host_delay.get(host, self.delay)
            if start > now:
                self._sleep(start - now)
            yield


_shared_gates: dict[tuple[int, float], HostGate] = {}
_shared_lock = threading.Lock()


def shared_gate(concurrency: int, delay: float) -> HostGate:
    """The process-wide gate for these limits: every run and thread of the process shares its counts."""
    with _shared_lock:
        return _shared_gates.setdefault((concurrency, delay), HostGate(concurrency, delay))


def interleave_by_host(urls: Iterable[str]) -> list[str]:
    """URLs reordered round-robin by host, each host's own order kept, so one busy host cannot hold
    every worker thread while the other hosts wait."""
    queues: dict[str, list[str]] = {}
    for url in urls:
        queues.setdefault(host_of(url), []).append(url)
    total = sum(len(queue) for queue in queues.values())
    ordered: list[str] = []
    round_index = 0
    while len(ordered) < total:
        ordered.extend(queue[round_index] for queue in queues.values() if round_index < len(queue))
        round_index += 1
    return ordered

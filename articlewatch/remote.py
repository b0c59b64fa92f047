"""Check batches in another process (a Dask worker): plain settings in, a per-process context out.

A `batch.BatchContext` holds live objects (an index connection, an HTTP client, a host gate, a
process pool) that cannot travel to another process. A run that sends its batches elsewhere
sends a `RemoteBatchSettings` instead; the receiving process builds the context from it once
and keeps it for every later batch with the same settings, so a worker pays for the store
connection, the HTTP connection pools and the robots.txt cache once, not per batch.

Politeness across processes: each process has its own host gate, so a host's URLs must not be
checked by two processes at once. `host_batches` keeps every host whole in one batch; a host with
more URLs than a batch holds is cut into batches that run one after another (each names the batch
it waits for), so at most one process fetches from a host at any time.

Extraction runs in the batch's own thread here: a Dask worker is already one of many processes
spread over the cores (a worker's process is a daemon, which may not start a process pool).
"""

from __future__ import annotations

import atexit
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from . import batch
from .alerts import AlertPolicy
from .config import Settings
from .fetch import make_client
from .politeness import host_of, shared_gate
from .revalidate import Revalidator
from .robots import RobotsCache
from .store import SnapshotStore


@dataclass(frozen=True)
class RemoteBatchSettings:
    """What a batch needs to build its own context in another process: plain values only."""

    store: str
    index: str | None = field(repr=False)  # an SQLAlchemy URL, which may hold a password
    timeout: float
    block_private: bool
    host_concurrency: int
    host_delay: float
    robots: bool
    fetch_workers: int
    alerting: AlertPolicy | None = None


def remote_settings(settings: Settings, alerting: AlertPolicy | None) -> RemoteBatchSettings:
    """The plain settings a run sends with each of its batches."""
    return RemoteBatchSettings(
        store=str(settings.store),
        index=settings.index,
        timeout=settings.timeout,
        block_private=settings.block_private,
        host_concurrency=settings.host_concurrency,
        host_delay=settings.host_delay,
        robots=settings.robots,
        fetch_workers=settings.concurrency,
        alerting=alerting,
    )


def context_for(settings: RemoteBatchSettings) -> batch.BatchContext:
    """This process's batch context for these settings, built on first use and kept (alerting per run)."""
    # The alert policy changes per run and holds nothing live: it is not part of the cache key.
    key = replace(settings, alerting=None)
    with _contexts_lock:
        context = _contexts.get(key)
        if context is None:
            context = _build(key)
            _contexts[key] = context
    return replace(context, alerting=settings.alerting)


def host_batches(urls: Sequence[str], size: int = batch.BATCH_SIZE) -> list[tuple[list[str], int | None]]:
    """Batches of whole hosts, each (its URLs, the index of the batch it must wait for, or None).

    Hosts go into batches in the order of their first URL, each host's own order kept; a host with
    more than `size` URLs fills batches of its own, each waiting for the one before.
    """
    by_host: dict[str, list[str]] = {}
    for url in urls:
        by_host.setdefault(host_of(url), []).append(url)
    batches: list[tuple[list[str], int | None]] = []
    open_batch: list[str] = []
    for host_urls in by_host.values():
        if len(host_urls) > size:
            previous: int | None = None
            for start in range(0, len(host_urls), size):
                batches.append((host_urls[start : start + size], previous))
                previous = len(batches) - 1
            continue
        if len(open_batch) + len(host_urls) > size:
            batches.append((open_batch, None))
            open_batch = []
        open_batch.extend(host_urls)
    if open_batch:
        batches.append((open_batch, None))
    return batches


_contexts: dict[RemoteBatchSettings, batch.BatchContext] = {}
_contexts_lock = threading.Lock()


def _build(settings: RemoteBatchSettings) -> batch.BatchContext:
    store = SnapshotStore(settings.store, settings.index)
    client = make_client(settings.timeout, block_private=settings.block_private)
    atexit.register(client.close)
    atexit.register(store.close)
    gate = shared_gate(settings.host_concurrency, settings.host_delay)
    return batch.BatchContext(
        store=store,
        client=client,
        gate=gate,
        robots=RobotsCache(client, gate) if settings.robots else None,
        extractor=None,
        fetch_workers=settings.fetch_workers,
        revalidator=Revalidator(settings.timeout, settings.block_private),
    )

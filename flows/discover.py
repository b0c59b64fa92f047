"""The discover_articles flow: read every due source and watch the new articles it lists.

Thin wiring over articlewatch.discovery: one task per source read (retried on transient
errors), then the new URLs are recorded as watches, each exactly once.
"""

from __future__ import annotations

from typing import Any

from prefect import flow, get_run_logger, task, unmapped

from articlewatch import discovery
from articlewatch.config import load_settings
from articlewatch.errors import ArticlewatchError
from articlewatch.fetch import make_client, utc_now
from articlewatch.models import Source
from articlewatch.politeness import shared_gate
from articlewatch.robots import RobotsCache
from articlewatch.schedule import parse_time
from articlewatch.store import SnapshotStore
from flows.check import TASK_OPTIONS, bounded_runner, is_transient


@task(
    name="read-source",
    retries=2,
    retry_delay_seconds=[2, 10],
    retry_condition_fn=is_transient,
    **TASK_OPTIONS,
)
def read_source_task(source: Source, client: Any, manners: discovery.Manners) -> discovery.SourceRead:
    """Fetch one source (in its host's turn, if robots.txt allows) and list its article links."""
    return discovery.read_source(source, client, manners)


@flow(name="discover-articles", task_runner=bounded_runner(4), log_prints=False)
def discover_articles(
    store: str | None = None, sources: list[str] | None = None, read_all: bool = False
) -> list[dict[str, Any]]:
    """Read the due sources (or the given ones, or all) and watch new articles; one record per source."""
    logger = get_run_logger()
    settings = load_settings(store)
    results = []
    with (
        SnapshotStore(settings.store, settings.index) as snapshot_store,
        make_client(settings.timeout, block_private=settings.block_private) as client,
    ):
        now = parse_time(utc_now())
        chosen = [
            source
            for source in snapshot_store.sources()
            if (source.url in sources if sources else read_all or discovery.is_due(source, now))
        ]
        # The same per-host gate as article checks in this process, and robots.txt.
        gate = shared_gate(settings.host_concurrency, settings.host_delay)
        manners = discovery.Manners(gate, RobotsCache(client, gate) if settings.robots else None)
        futures = read_source_task.map(chosen, unmapped(client), unmapped(manners))
        for source, future in zip(chosen, futures, strict=True):
            try:
                result = discovery.record_read(snapshot_store, future.result())
            except ArticlewatchError as error:
                result = discovery.record_source_failure(snapshot_store, source, error)
            if result.error:
                logger.warning("%s", result.error)
            else:
                logger.info("%s: %d listed, %d new", source.url, result.found, len(result.new))
            results.append(result.to_record())
    return results

"""The check_articles flow: fetch, extract, diff and store as Prefect tasks over the core pipeline.

Thin wiring only: every decision lives in articlewatch.pipeline. Stages run as waves of mapped
tasks on a bounded thread pool; a URL that fails a stage leaves the wave with an `error` (or
`gone`) record and the others go on. Only the fetch retries, and only on transient errors.
"""

from __future__ import annotations

from typing import Any, cast

from prefect import flow, get_run_logger, task, unmapped
from prefect.cache_policies import NO_CACHE
from prefect.client.schemas.objects import TaskRun
from prefect.futures import PrefectFuture
from prefect.states import State
from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner

from articlewatch import pipeline
from articlewatch.config import load_settings
from articlewatch.errors import ArticlewatchError, RetryableError
from articlewatch.fetch import make_client
from articlewatch.models import CheckResult
from articlewatch.store import SnapshotStore

# Snapshots are the persistence: task results stay in memory and are never cached.
_TASK_OPTIONS: dict[str, Any] = {"cache_policy": NO_CACHE, "persist_result": False}


def is_transient(task: Any, task_run: TaskRun, state: State[Any]) -> bool:
    """Retry a fetch only when it failed in a way that may pass (timeout, 5xx, 429)."""
    return isinstance(state.data, RetryableError)


@task(name="fetch", retries=2, retry_delay_seconds=[1, 4], retry_condition_fn=is_transient, **_TASK_OPTIONS)
def fetch_task(url: str, store: SnapshotStore, client: Any) -> Any:
    """Fetch one article page."""
    return pipeline.fetch_stage(url, store, client)


@task(name="extract", **_TASK_OPTIONS)
def extract_task(fetched: Any, store: SnapshotStore) -> Any:
    """Extract the article of a fetched page."""
    return pipeline.extract_stage(fetched, store)


@task(name="diff", **_TASK_OPTIONS)
def diff_task(url: str, article: Any, store: SnapshotStore) -> Any:
    """Compare with the latest stored version."""
    return pipeline.diff_stage(url, article, store)


@task(name="store", **_TASK_OPTIONS)
def store_task(url: str, fetched: Any, article: Any, comparison: Any, store: SnapshotStore) -> Any:
    """Write the new version (if any) and log the check."""
    return pipeline.store_stage(store, url, fetched, article, comparison)


def bounded_runner(max_workers: int) -> TaskRunner[Any]:
    """A thread pool task runner with a bound (Prefect's default pool is unbounded)."""
    return cast(TaskRunner[Any], ThreadPoolTaskRunner(max_workers=max_workers))


@flow(name="check-articles", task_runner=bounded_runner(8), log_prints=False)
def check_articles(
    urls: list[str] | None = None, store: str | None = None, check_all: bool = False
) -> list[dict[str, Any]]:
    """Check the given URLs, or every due watch (all of them with check_all); return check --json records."""
    logger = get_run_logger()
    settings = load_settings(store)
    results: dict[str, CheckResult] = {}
    with SnapshotStore(settings.store) as snapshot_store, make_client(settings.timeout) as client:
        selected = pipeline.select_urls(snapshot_store, urls, check_all, settings.check_every)
        fetched = _survivors(
            snapshot_store,
            selected,
            fetch_task.map(selected, unmapped(snapshot_store), unmapped(client)),
            results,
        )
        urls_ok = list(fetched)
        articles = _survivors(
            snapshot_store,
            urls_ok,
            extract_task.map([fetched[u] for u in urls_ok], unmapped(snapshot_store)),
            results,
        )
        urls_ok = list(articles)
        comparisons = _survivors(
            snapshot_store,
            urls_ok,
            diff_task.map(urls_ok, [articles[u] for u in urls_ok], unmapped(snapshot_store)),
            results,
        )
        urls_ok = list(comparisons)
        stored = _survivors(
            snapshot_store,
            urls_ok,
            store_task.map(
                urls_ok,
                [fetched[u] for u in urls_ok],
                [articles[u] for u in urls_ok],
                [comparisons[u] for u in urls_ok],
                unmapped(snapshot_store),
            ),
            results,
        )
        results.update(stored)
    ordered = [results[url] for url in selected]
    for result in ordered:
        if result.outcome == "error":
            logger.warning("%s", result.error)
        else:
            logger.info("%s: %s (version %s)", result.url, result.outcome, result.version)
    return [result.to_record() for result in ordered]


def _survivors(
    store: SnapshotStore,
    urls: list[str],
    futures: list[PrefectFuture[Any]],
    failures: dict[str, CheckResult],
) -> dict[str, Any]:
    """Results of a wave by URL; URLs whose task failed get their failure record instead."""
    passed: dict[str, Any] = {}
    for url, future in zip(urls, futures, strict=True):
        try:
            passed[url] = future.result()
        except ArticlewatchError as error:
            failures[url] = pipeline.record_failure(store, url, error)
        except Exception as error:  # a bug must cost one URL, not the run: report it as such
            wrapped = ArticlewatchError(f"{url}: internal error ({type(error).__name__}: {error})")
            failures[url] = pipeline.record_failure(store, url, wrapped)
    return passed

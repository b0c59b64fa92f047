"""Check a batch of URLs with both cores busy: the unit of work of a check run.

Per-URL Prefect tasks cost more than a page's own work (STACK-NOTES: a few ms each on the client,
and seconds of event ingestion per thousand on the server), so a run hands URLs to tasks in
batches and each batch runs the pipeline stages itself:

    fetch     threads (I/O), each URL in its host's turn; transient failures retried per URL,
              never sooner than a server's Retry-After
    extract   a process pool (trafilatura is CPU-bound and holds the GIL), for pages whose raw
              HTML changed since the last fetch; runs of a few URLs extract in this thread
    diff      one URL after another in this process: the store's index is the shared state
    + store
Every URL ends as exactly one CheckResult; an error costs that URL only.
"""

from __future__ import annotations

import atexit
import multiprocessing
import os
import sys
import threading
import time
import types
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass

import httpx

from . import extraction_worker, pipeline
from .alerts import AlertPolicy
from .config import Settings
from .errors import ArticlewatchError, RetryableError
from .malloc_tuning import keep_large_blocks_mapped
from .models import Article, CheckResult, FetchResult
from .politeness import HostGate, shared_gate
from .redact import redact_url
from .revalidate import Revalidator
from .robots import RobotsCache
from .store import FetchMemo, SnapshotStore, WatchState

# Waits before the 2nd and 3rd attempt of a transient failure.
RETRY_DELAYS: tuple[float, ...] = (1.0, 4.0)
# The longest Retry-After a run waits for; a server that asks for more is tried on a later run.
MAX_RETRY_AFTER_SECONDS = 30.0
# Below this many pages a run starts no process pool: starting one costs more than it saves.
POOL_MIN_PAGES = 8


@dataclass(frozen=True)
class BatchContext:
    """What every batch of a run shares: the store, the HTTP client, politeness, alerting, workers."""

    store: SnapshotStore
    client: httpx.Client
    gate: HostGate | None = None
    robots: RobotsCache | None = None
    alerting: AlertPolicy | None = None
    extractor: Executor | None = None
    fetch_workers: int = 8
    revalidator: Revalidator | None = None


def local_context(
    store: SnapshotStore,
    client: httpx.Client,
    settings: Settings,
    alerting: AlertPolicy | None = None,
    pages: int = POOL_MIN_PAGES,
) -> BatchContext:
    """The context of a run's batches in this process, for `pages` pages: its settings' politeness
    and robots.txt, and the extraction pool when there are enough pages to pay for it."""
    keep_large_blocks_mapped()  # pages pass through this process by the thousand (malloc_tuning)
    # One gate for every fetch of the process: the threads of all batches take their turns.
    gate = shared_gate(settings.host_concurrency, settings.host_delay)
    if pages >= POOL_MIN_PAGES:
        start_extraction_pool()  # while the first batches are fetched
    return BatchContext(
        store=store,
        client=client,
        gate=gate,
        robots=RobotsCache(client, gate) if settings.robots else None,
        alerting=alerting,
        extractor=extraction_pool() if pages >= POOL_MIN_PAGES else None,
        fetch_workers=settings.concurrency,
        revalidator=Revalidator(settings.timeout, settings.block_private),
    )


def check_batch(urls: Sequence[str], context: BatchContext) -> list[CheckResult]:
    """Check a batch of URLs; one CheckResult per URL, in order, never an exception for one URL."""
    # One index query for the batch's memos and versions, one transaction for its unchanged pages:
    # a warm pass is mostly those, and per-URL index round trips would be most of its cost.
    states = context.store.watch_states(urls)
    fetched = _fetch_all(urls, context, states)
    pages = [f for f in fetched.values() if isinstance(f, FetchResult)]
    articles = _extract_all(pages, context, states)
    unchanged = [
        (page, states[page.url])
        for page in pages
        if articles.get(page.url, False) is None and page.url in states
    ]
    results = pipeline.record_unchanged_pages(context.store, unchanged)
    return [
        results[url] if url in results else _finish(url, fetched[url], articles.get(url), context)
        for url in urls
    ]


def fetch_with_retries(url: str, context: BatchContext, memo: FetchMemo | None = None) -> FetchResult:
    """Fetch one URL, retrying transient failures (timeouts, 5xx, 429) after RETRY_DELAYS."""
    for attempt in range(len(RETRY_DELAYS) + 1):
        try:
            return pipeline.fetch_stage(
                url,
                context.store,
                context.client,
                gate=context.gate,
                robots=context.robots,
                memo=memo,
                revalidator=context.revalidator,
            )
        except RetryableError as error:
            if attempt == len(RETRY_DELAYS):
                raise
            if error.retry_after is not None and error.retry_after > MAX_RETRY_AFTER_SECONDS:
                raise
            time.sleep(max(RETRY_DELAYS[attempt], error.retry_after or 0.0))
    raise AssertionError("unreachable")  # the loop returns or raises


def extraction_pool() -> Executor:
    """The process's extraction workers, one per core, started on first use and shared by all runs."""
    global _pool
    with _pool_lock:
        if _pool is None:
            workers = os.cpu_count() or 1
            # spawn, not fork: the parent runs threads (HTTP, Prefect) that a fork would copy mid-state.
            pool = ProcessPoolExecutor(
                max_workers=workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=extraction_worker.start_worker,
            )
            # The pool starts a worker per submit while it has fewer than max_workers, and none
            # after: every worker starts here, while the caller goes on with its own start.
            with _main_module_hidden():
                for _ in range(workers):
                    pool.submit(extraction_worker.ready)
            atexit.register(pool.shutdown, wait=False, cancel_futures=True)
            _pool = pool
        return _pool


_pool: ProcessPoolExecutor | None = None
_pool_lock = threading.Lock()


def start_extraction_pool() -> None:
    """Start the extraction workers now, without waiting, so their start overlaps the caller's
    own (Prefect's, the first fetches) instead of delaying the first pages."""
    extraction_pool()


@contextmanager
def _main_module_hidden() -> Iterator[None]:
    """While workers start, a blank __main__: a spawned process imports its parent's main module
    first, and the extraction workers need none of it. A flow run's main module is prefect.engine
    (all of Prefect: about 56 MB and 1 s of CPU in each worker), the CLI's is articlewatch.cli
    (typer, rich, httpx, the store: about 23 MB)."""
    main = sys.modules.get("__main__")
    if main is None:
        yield
        return
    # Only spawning reads it (multiprocessing.spawn.get_preparation_data): a few milliseconds.
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        sys.modules["__main__"] = main


def _fetch_all(
    urls: Sequence[str], context: BatchContext, states: Mapping[str, WatchState]
) -> dict[str, FetchResult | ArticlewatchError]:
    def one(url: str) -> FetchResult | ArticlewatchError:
        state = states.get(url)
        try:
            return fetch_with_retries(url, context, state.memo if state else None)
        except ArticlewatchError as error:
            return error

    with ThreadPoolExecutor(max_workers=max(1, min(context.fetch_workers, len(urls)))) as threads:
        return dict(zip(urls, threads.map(one, urls), strict=True))


def _extract_all(
    pages: list[FetchResult], context: BatchContext, states: Mapping[str, WatchState]
) -> dict[str, Article | ArticlewatchError | None]:
    outcomes: dict[str, Article | ArticlewatchError | None] = {}
    changed = []
    for page in pages:
        state = states.get(page.url)
        if pipeline.needs_extraction(page, context.store, state.memo if state else None):
            changed.append(page)
        else:
            outcomes[page.url] = None  # byte-identical or 304: nothing to extract
    # The extractor echoes the URL it is given as the canonical URL of a page without one: it
    # gets the URL with its credentials redacted, so they never reach a snapshot.
    jobs = [(page.body, page.charset, redact_url(page.final_url)) for page in changed]
    extract_page = extraction_worker.extract_page
    extracted: list[Article | ArticlewatchError] | None = None
    # A run that has workers sends them every page, even a batch's one or two changed ones: the
    # pickling costs far less than an extraction holding this process's GIL, and the extractor's
    # caches (jusText's stop lists, dateparser's patterns: about 45 MB) stay out of this process.
    if context.extractor is not None and jobs:
        chunksize = max(1, min(4, len(jobs) // 8))  # whole chunks for every worker, even of a few
        try:
            extracted = list(
                context.extractor.map(extract_page, *zip(*jobs, strict=True), chunksize=chunksize)
            )
        except (BrokenProcessPool, OSError, RuntimeError):
            # Workers that cannot start or died (a host that forbids processes, an OOM kill):
            # slower in this thread, but the batch still gets checked.
            extracted = None
    if extracted is None:
        extracted = [extract_page(body, charset, url) for body, charset, url in jobs]
    outcomes.update(zip((page.url for page in changed), extracted, strict=True))
    return outcomes


def _finish(
    url: str,
    fetched: FetchResult | ArticlewatchError,
    article: Article | ArticlewatchError | None,
    context: BatchContext,
) -> CheckResult:
    store, alerting = context.store, context.alerting
    if isinstance(fetched, ArticlewatchError):
        return pipeline.record_failure(store, url, fetched, alerting)
    if isinstance(article, ArticlewatchError):
        return pipeline.record_failure(store, url, article, alerting)
    try:
        comparison = pipeline.diff_stage(url, article, store)
        return pipeline.store_stage(store, url, fetched, article, comparison, alerting)
    except ArticlewatchError as error:
        return pipeline.record_failure(store, url, error, alerting)
    except Exception as error:  # a bug must cost one URL, not the run: report it as such
        wrapped = ArticlewatchError(f"{url}: internal error ({type(error).__name__}: {error})")
        return pipeline.record_failure(store, url, wrapped)


# Big enough that a batch's page work dwarfs its overhead, small enough that a few batches in
# flight keep fetching, extracting and storing overlapped and hold only a few MB of HTML each.
BATCH_SIZE = 50
PARALLEL_BATCHES = 3
# A run's unit of orchestration (a Prefect task) checks up to this many batches, one after
# another: a task costs milliseconds on the client plus event load on the server (STACK-NOTES),
# as much as a batch of unchanged pages, while its batches in turn cost no more memory than one.
MAX_BATCHES_PER_TASK = 8


def split_batches(urls: Sequence[str], size: int = BATCH_SIZE) -> list[list[str]]:
    """URLs in consecutive batches of at most `size` (the order, host-interleaved upstream, kept)."""
    return [list(urls[start : start + size]) for start in range(0, len(urls), size)]


def split_tasks(
    urls: Sequence[str],
    parallel: int = PARALLEL_BATCHES,
    size: int = BATCH_SIZE,
    most: int = MAX_BATCHES_PER_TASK,
) -> list[list[str]]:
    """A run's URLs as the inputs of its tasks: consecutive slices of near-equal length, each at
    most `most` batches, as few as that allows but a multiple of `parallel` (no task runs alone
    at the end) and never more than there are batches."""
    if not urls:
        return []
    batches = -(-len(urls) // size)
    tasks = min(batches, parallel * -(-len(urls) // (parallel * size * most)))
    share, extra = divmod(len(urls), tasks)
    bounds = [index * share + min(index, extra) for index in range(tasks + 1)]
    return [list(urls[bounds[index] : bounds[index + 1]]) for index in range(tasks)]


def check_task(urls: Sequence[str], context: BatchContext, size: int = BATCH_SIZE) -> list[CheckResult]:
    """Check one task's URLs batch after batch: one batch's pages in memory at a time."""
    return [result for urls_of in split_batches(urls, size) for result in check_batch(urls_of, context)]


def check_in_batches(
    urls: Sequence[str], context: BatchContext, parallel: int = PARALLEL_BATCHES
) -> list[CheckResult]:
    """Check URLs as a run does, `parallel` tasks at once, without Prefect (the flow maps the same tasks)."""
    with ThreadPoolExecutor(max_workers=parallel) as threads:
        tasks = threads.map(lambda urls_of: check_task(urls_of, context), split_tasks(urls, parallel))
        return [result for task in tasks for result in task]

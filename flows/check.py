"""The check_articles flow: one run checks the selected URLs as batch tasks over the core pipeline.

Thin wiring only: every decision lives in articlewatch.pipeline and articlewatch.batch. URLs go
host-interleaved into batches (a task per batch, not per URL: STACK-NOTES measured a task at a
few ms client-side plus server-side event load); a few batches run at once, each fetching in
threads, extracting in the shared process pool, then diffing and storing. Transient fetch errors
are retried per URL inside the batch; a URL that fails ends as an `error` (or `gone`) record
and the others go on.
"""

from __future__ import annotations

from typing import Any, cast

from prefect import flow, get_run_logger, task, unmapped
from prefect.cache_policies import NO_CACHE
from prefect.client.schemas.objects import TaskRun
from prefect.futures import PrefectFuture
from prefect.states import State
from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner
from pydantic import SecretStr

from articlewatch import batch, pipeline
from articlewatch.alerts import AlertPolicy
from articlewatch.config import load_settings
from articlewatch.errors import ArticlewatchError, RetryableError
from articlewatch.fetch import make_client
from articlewatch.models import CheckResult
from articlewatch.politeness import interleave_by_host, shared_gate
from articlewatch.redact import redact_url
from articlewatch.robots import RobotsCache
from articlewatch.store import SnapshotStore
from flows.alerting import alert_channels, publish_run

# Snapshots are the persistence: task results stay in memory and are never cached.
TASK_OPTIONS: dict[str, Any] = {"cache_policy": NO_CACHE, "persist_result": False}


def is_transient(task: Any, task_run: TaskRun, state: State[Any]) -> bool:
    """Retry a task only when it failed in a way that may pass (timeout, 5xx, 429)."""
    return isinstance(state.data, RetryableError)


@task(name="check-batch", task_run_name="check {urls[0]} and {count} more", **TASK_OPTIONS)
def check_batch_task(urls: list[str], count: int, context: batch.BatchContext) -> list[CheckResult]:
    """Fetch, extract, diff and store one batch of URLs (transient fetch errors retried per URL)."""
    return batch.check_batch(urls, context)


def bounded_runner(max_workers: int) -> TaskRunner[Any]:
    """A thread pool task runner with a bound (Prefect's default pool is unbounded)."""
    return cast(TaskRunner[Any], ThreadPoolTaskRunner(max_workers=max_workers))


@flow(name="check-articles", task_runner=bounded_runner(batch.PARALLEL_BATCHES), log_prints=False)
def check_articles(
    urls: list[str] | None = None,
    store: str | None = None,
    check_all: bool = False,
    notify: list[SecretStr] | None = None,
    notify_new: bool | None = None,
    digest: bool | None = None,
) -> list[dict[str, Any]]:
    """Check the given URLs, or every due watch (all of them with check_all); return check --json records.

    `notify` adds Apprise URLs to the configured channels (SecretStr: Prefect stores them masked);
    `notify_new` and `digest` override the settings of the same names.
    """
    logger = get_run_logger()
    settings = load_settings(store)
    channels = alert_channels(settings.notify, notify)
    # Digest-only channels are owed every alert too; the daily-digest flow delivers them.
    digest_channels = alert_channels(settings.digest_notify, None)
    alerting = AlertPolicy(
        channel_ids=tuple(dict.fromkeys(channel.id for channel in (*channels, *digest_channels))),
        notify_new=settings.notify_new if notify_new is None else notify_new,
    )
    results: dict[str, CheckResult] = {}
    with SnapshotStore(settings.store) as snapshot_store, make_client(
        settings.timeout, block_private=settings.block_private
    ) as client:
        selected = pipeline.select_urls(snapshot_store, urls, check_all, settings.schedule_policy())
        # One gate for every fetch of the process; URLs go out host by host in turn, so the
        # threads waiting for a slow or crowded host never hold up all the others.
        gate = shared_gate(settings.host_concurrency, settings.host_delay)
        robots = RobotsCache(client, gate) if settings.robots else None
        context = batch.BatchContext(
            store=snapshot_store,
            client=client,
            gate=gate,
            robots=robots,
            alerting=alerting,
            extractor=batch.extraction_pool() if len(selected) >= batch.POOL_MIN_PAGES else None,
            fetch_workers=settings.concurrency,
        )
        batches = batch.split_batches(interleave_by_host(selected))
        futures = check_batch_task.map(
            batches, [len(urls_of) - 1 for urls_of in batches], unmapped(context)
        )
        for urls_of, future in zip(batches, futures, strict=True):
            results.update(zip(urls_of, _batch_results(snapshot_store, urls_of, future), strict=True))
        use_digest = settings.notify_digest if digest is None else digest
        publish_run(snapshot_store, [results[url] for url in selected], channels, use_digest, logger)
    ordered = [results[url] for url in selected]
    for result in ordered:
        if result.outcome == "error":
            logger.warning("%s", result.error)
        else:
            logger.info("%s: %s (version %s)", redact_url(result.url), result.outcome, result.version)
    return [result.to_record() for result in ordered]


def _batch_results(
    store: SnapshotStore, urls: list[str], future: PrefectFuture[list[CheckResult]]
) -> list[CheckResult]:
    """A batch's records; if the batch task itself failed (a bug), an error record for each URL."""
    try:
        return future.result()
    except Exception as error:  # the batch's URLs fail, never the run
        return [
            pipeline.record_failure(
                store, url, ArticlewatchError(f"{url}: internal error ({type(error).__name__}: {error})")
            )
            for url in urls
        ]

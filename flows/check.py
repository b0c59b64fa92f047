"""The check_articles flow: one run checks the selected URLs as batch tasks over the core pipeline.

Thin wiring only: every decision lives in articlewatch.pipeline and articlewatch.batch. URLs go
host-interleaved into batches (a task per batch, not per URL: STACK-NOTES measured a task at a
few ms client-side plus server-side event load); a few batches run at once, each fetching in
threads, extracting in the shared process pool, then diffing and storing. Transient fetch errors
are retried per URL inside the batch; a URL that fails ends as an `error` (or `gone`) record
and the others go on.

Beyond one process: `shard="I/K"` checks only the watches of one shard (articlewatch.shards;
flows/shards.py starts the K shards as flow runs on a work pool), and the `dask_address` setting
sends the batch tasks to a Dask cluster (flows/dask_runner.py, articlewatch.remote).
"""

from __future__ import annotations

from contextlib import ExitStack
from typing import Any, cast

from prefect import flow, get_run_logger, task, unmapped
from prefect.cache_policies import NO_CACHE
from prefect.client.schemas.objects import TaskRun
from prefect.futures import PrefectFuture
from prefect.states import State
from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner
from pydantic import SecretStr

from articlewatch import batch, pipeline, remote
from articlewatch.alerts import AlertPolicy
from articlewatch.config import Settings, load_settings
from articlewatch.errors import ArticlewatchError, ConfigError, RetryableError
from articlewatch.fetch import make_client
from articlewatch.models import CheckResult
from articlewatch.politeness import host_of, interleave_by_host
from articlewatch.redact import redact_url
from articlewatch.shards import Shard, ShardPlan, host_counts, parse_shard, plan_shards, shard_urls
from articlewatch.store import SnapshotStore
from flows.alerting import alert_channels, publish_run
from flows.dask_runner import DaskUnavailableError, dask_task_runner
from flows.heartbeat import flow_run_heartbeats, prompt_heartbeats

# Snapshots are the persistence: task results stay in memory and are never cached.
TASK_OPTIONS: dict[str, Any] = {"cache_policy": NO_CACHE, "persist_result": False}


def is_transient(task: Any, task_run: TaskRun, state: State[Any]) -> bool:
    """Retry a task only when it failed in a way that may pass (timeout, 5xx, 429)."""
    return isinstance(state.data, RetryableError)


@task(name="check-batch", task_run_name="check {urls[0]} and {count} more", **TASK_OPTIONS)
def check_batch_task(
    urls: list[str], count: int, context: batch.BatchContext | remote.RemoteBatchSettings
) -> list[CheckResult]:
    """Fetch, extract, diff and store a task's URLs, batch after batch (transient fetch errors
    retried per URL). In another process (a Dask worker) the task gets plain settings and builds
    its own context.
    """
    if isinstance(context, remote.RemoteBatchSettings):
        return batch.check_task(urls, remote.context_for(context))
    return batch.check_task(urls, context)


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
    shard: str | None = None,
    shard_plan: dict[str, int] | None = None,
) -> list[dict[str, Any]]:
    """Check the given URLs, or every due watch (all of them with check_all); return check --json records.

    `notify` adds Apprise URLs to the configured channels (SecretStr: Prefect stores them masked);
    `notify_new` and `digest` override the settings of the same names. `shard` ("I/K") checks only
    the due (or all) watches of that shard; `shard_plan` is the placement of the heaviest hosts
    the coordinator computed for the pass (without it the shard computes it from the watchlist).
    """
    logger = get_run_logger()
    this_shard = parse_shard(shard) if shard is not None else None
    if this_shard is not None and urls:
        raise ConfigError(f"shard {shard}: a shard checks the due (or all) watches of its hosts, not URLs")
    settings = load_settings(store)
    channels = alert_channels(settings.notify, notify)
    # Digest-only channels are owed every alert too; the daily-digest flow delivers them.
    digest_channels = alert_channels(settings.digest_notify, None)
    alerting = AlertPolicy(
        channel_ids=tuple(dict.fromkeys(channel.id for channel in (*channels, *digest_channels))),
        notify_new=settings.notify_new if notify_new is None else notify_new,
    )
    results: dict[str, CheckResult] = {}
    with (
        flow_run_heartbeats(),
        SnapshotStore(settings.store, settings.index) as snapshot_store,
        make_client(settings.timeout, block_private=settings.block_private) as client,
    ):
        selected = pipeline.select_urls(snapshot_store, urls, check_all, settings.schedule_policy())
        if this_shard is not None:
            selected = shard_urls(selected, this_shard, _plan(snapshot_store, this_shard, shard_plan))
        with ExitStack() as stack:
            dask = _dask_runner(stack, settings, logger) if selected else None
            if dask is not None:
                batches, futures = _submit_to_dask(dask, selected, settings, alerting)
            else:
                batches, futures = _submit_to_threads(selected, snapshot_store, client, settings, alerting)
            for urls_of, future in zip(batches, futures, strict=True):
                results.update(zip(urls_of, _batch_results(snapshot_store, urls_of, future), strict=True))
        use_digest = settings.notify_digest if digest is None else digest
        publish_run(snapshot_store, [results[url] for url in selected], channels, use_digest, logger)
    ordered = [results[url] for url in selected]
    if this_shard is not None:
        _publish_shard(this_shard, ordered)
    for result in ordered:
        if result.outcome == "error":
            logger.warning("%s", result.error)
        else:
            logger.info("%s: %s (version %s)", redact_url(result.url), result.outcome, result.version)
    return [result.to_record() for result in ordered]


def _submit_to_threads(
    selected: list[str], store: SnapshotStore, client: Any, settings: Settings, alerting: AlertPolicy
) -> tuple[list[list[str]], list[PrefectFuture[list[CheckResult]]]]:
    """Map the batches over the flow's thread runner, all sharing this process's live context."""
    context = batch.local_context(store, client, settings, alerting, pages=len(selected))
    # URLs go out host by host in turn, so the threads waiting for a slow or crowded host never
    # hold up all the others.
    batches = batch.split_tasks(interleave_by_host(selected))
    futures = check_batch_task.map(batches, [len(urls_of) - 1 for urls_of in batches], unmapped(context))
    return batches, list(futures)


def _submit_to_dask(
    dask: Any, selected: list[str], settings: Settings, alerting: AlertPolicy
) -> tuple[list[list[str]], list[PrefectFuture[list[CheckResult]]]]:
    """Submit the batches to the Dask cluster with plain settings; a big host's batches in a row."""
    # Whole hosts per batch: the worker processes' host gates do not see each other.
    chained = remote.host_batches(selected)
    plain = remote.remote_settings(settings, alerting)
    futures: list[PrefectFuture[list[CheckResult]]] = []
    for urls_of, after in chained:
        parameters = {"urls": urls_of, "count": len(urls_of) - 1, "context": plain}
        wait_for = [futures[after]] if after is not None else None
        futures.append(dask.submit(check_batch_task, parameters, wait_for=wait_for))
    return [urls_of for urls_of, _ in chained], futures


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


def _plan(store: SnapshotStore, shard: Shard, placed: dict[str, int] | None) -> ShardPlan:
    """The pass's plan as the coordinator sent it, else computed from the whole watchlist."""
    if placed is None:
        return plan_shards(host_counts(watch.url for watch in store.watches()), shard.count)
    wrong = sorted(host for host, index in placed.items() if not 1 <= index <= shard.count)
    if wrong:
        raise ConfigError(f"shard {shard}: shard_plan puts {wrong[0]} outside 1..{shard.count}")
    return ShardPlan(shard.count, placed)


def _dask_runner(stack: ExitStack, settings: Settings, logger: Any) -> Any:
    """A DaskTaskRunner held open by `stack` when dask_address is set and reachable, else None."""
    if not settings.dask_address:
        return None
    try:
        return stack.enter_context(dask_task_runner(settings.dask_address))
    except DaskUnavailableError as error:
        # The pass still happens: in this process's threads, as without the setting.
        logger.warning("%s; checking in this process instead", error)
        return None


# Rows of a shard's artifact: the busiest hosts; the rest are summed in one last row.
SHARD_ARTIFACT_HOSTS = 100


def _publish_shard(shard: Shard, results: list[CheckResult]) -> None:
    """A table artifact for the shard's run: URLs and outcomes per host (which hosts it owned)."""
    from prefect.artifacts import create_table_artifact

    per_host: dict[str, dict[str, Any]] = {}
    for result in results:
        host = host_of(result.url)
        row = per_host.setdefault(host, {"host": host, "checked": 0, "errors": 0})
        row["checked"] += 1
        row["errors"] += result.outcome == "error"
    rows = sorted(per_host.values(), key=lambda row: (-row["checked"], row["host"]))
    shown, rest = rows[:SHARD_ARTIFACT_HOSTS], rows[SHARD_ARTIFACT_HOSTS:]
    if rest:
        shown.append(
            {
                "host": f"({len(rest)} more hosts)",
                "checked": sum(row["checked"] for row in rest),
                "errors": sum(row["errors"] for row in rest),
            }
        )
    create_table_artifact(
        table=shown,
        key="articlewatch-shard",
        description=f"shard {shard}: {len(results)} URLs of {len(per_host)} hosts checked",
    )


def run_check_articles(heartbeat: bool = True, **parameters: Any) -> list[dict[str, Any]]:
    """Run check_articles in this process; heartbeat=False for short runs someone is watching.

    The flow run's heartbeat (PREFECT_FLOWS_HEARTBEAT_FREQUENCY) lets a server tell a crashed run
    from a long one. Prefect's own heartbeat thread costs up to a second at the run's end; here
    flows.heartbeat sends the same events from a thread that stops at once.
    """
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    with prompt_heartbeats() if heartbeat else temporary_settings({PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        return check_articles(**parameters)

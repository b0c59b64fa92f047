"""Serve the deployments in-process: the same three schedules and two on-demand deployments
(a sharded check pass: its coordinator and its shards) that prefect.yaml declares.

prefect.yaml is for workers (`prefect deploy --all`); this table is for `articlewatch serve`.
tests/flows/test_serve.py fails when the two disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any, cast

from prefect import Flow, serve
from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy
from prefect.deployments.runner import RunnerDeployment

from flows.check import check_articles
from flows.digest import daily_digest
from flows.discover import discover_articles
from flows.shards import check_due_sharded


@dataclass(frozen=True)
class Scheduled:
    """One deployment: its flow, name, and an interval or a cron line (UTC), or neither (on demand)."""

    name: str
    flow: Flow[Any, Any]
    description: str
    interval: timedelta | None = None
    cron: str | None = None
    # Overlapping runs: a new check or discovery run is dropped while one is running (the next
    # picks up what is due); a digest waits for the one before.
    collision_strategy: ConcurrencyLimitStrategy = ConcurrencyLimitStrategy.CANCEL_NEW
    # Runs of the deployment at once; None: no limit (the shards of a pass run side by side).
    limit: int | None = 1


SCHEDULED = (
    Scheduled(
        "check-due-articles",
        check_articles,
        "Check every watched article that is due (adaptive schedule), most overdue first.",
        interval=timedelta(minutes=5),
    ),
    Scheduled(
        "discover-articles",
        discover_articles,
        "Read the followed feeds, sitemaps and section pages that are due; watch new articles.",
        interval=timedelta(hours=1),
    ),
    Scheduled(
        "daily-digest",
        daily_digest,
        "Write the day's HTML report into the store and send pending alerts as one digest.",
        cron="0 7 * * *",
        collision_strategy=ConcurrencyLimitStrategy.ENQUEUE,
    ),
)


# Started by hand or by another flow: `prefect deployment run check-sharded/check-due-sharded`
# runs a pass as shards (flows/shards.py), each a run of check-shard.
ON_DEMAND = (
    Scheduled(
        "check-due-sharded",
        check_due_sharded,
        "Check the due watches as K shards (parameter shards), each a check-shard run on the pool.",
    ),
    Scheduled(
        "check-shard",
        check_articles,
        "One shard of a sharded pass (parameter shard: I/K); started by check-due-sharded.",
        limit=None,
    ),
)
DEPLOYMENTS = SCHEDULED + ON_DEMAND


def runner_deployments(store: str) -> list[RunnerDeployment]:
    """The deployments, each run with this store."""
    deployments = []
    for scheduled in DEPLOYMENTS:
        # to_deployment is sync/async dispatched; called from sync code it returns the deployment.
        deployment = scheduled.flow.to_deployment(
            name=scheduled.name,
            interval=scheduled.interval,
            cron=scheduled.cron,
            parameters={"store": store},
            description=scheduled.description,
            concurrency_limit=ConcurrencyLimitConfig(
                limit=scheduled.limit, collision_strategy=scheduled.collision_strategy
            )
            if scheduled.limit
            else None,
        )
        deployments.append(cast(RunnerDeployment, deployment))
    return deployments


def serve_deployments(store: str) -> None:
    """Run the three schedules and serve the on-demand deployments until interrupted (a real server)."""
    serve(*runner_deployments(store))

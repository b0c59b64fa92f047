"""What a check run publishes after its store stage: alerts from the outbox, events, and an artifact.

Thin wiring over articlewatch.notify and articlewatch.report: the outbox decides what is owed,
this module only runs the delivery as a task and tells Prefect about the changes.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from prefect import task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.events import emit_event
from pydantic import SecretStr

from articlewatch import notify
from articlewatch.errors import ArticlewatchError, one_line
from articlewatch.fetch import utc_now
from articlewatch.models import CheckResult
from articlewatch.render import kind_label
from articlewatch.render.markdown import render_run_markdown
from articlewatch.report import run_changes
from articlewatch.store import SnapshotStore

CHANGED_EVENT = "articlewatch.article.changed"
STATUS_EVENTS = {"gone": "articlewatch.article.gone", "restored": "articlewatch.article.restored"}
ARTIFACT_KEY = "articlewatch-changes"
# Event ids derive from alert ids, so Prefect sees one event per alerting version, however often sent.
_EVENT_NAMESPACE = uuid.UUID("5c3f9a52-7e1b-4f7a-9a57-7d1f3c2b9e10")


@task(name="deliver-alerts", cache_policy=NO_CACHE, persist_result=False)
def deliver_task(
    store: SnapshotStore, channels: tuple[notify.Channel, ...], digest: bool
) -> tuple[notify.Delivery, ...]:
    """Send what the outbox owes each channel (after this run's versions were stored)."""
    return notify.deliver(store, channels, digest=digest)


def deliver_alerts(
    store: SnapshotStore, channels: tuple[notify.Channel, ...], digest: bool, logger: Any
) -> None:
    """Run the delivery task and log, per channel (by its masked label), what went and what waits."""
    if not channels:
        return
    try:
        deliveries = deliver_task(store, channels, digest)
    except ArticlewatchError as error:  # a broken outbox costs the alerts of this run, not its records
        logger.warning("alerts not delivered: %s", notify.redact(one_line(error), channels))
        return
    for delivery in deliveries:
        if delivery.error:
            logger.warning(
                "%s: %d alert(s) sent, %d pending: %s",
                delivery.channel,
                len(delivery.delivered),
                delivery.pending,
                delivery.error,
            )
        elif delivery.delivered:
            logger.info("%s: %d alert(s) sent", delivery.channel, len(delivery.delivered))


def emit_change_events(store: SnapshotStore, results: Sequence[CheckResult]) -> int:
    """One `articlewatch.article.changed` event per significant change (the article as resource);
    `articlewatch.article.gone` / `.restored` when an article is unpublished or comes back."""
    emitted = 0
    for result in results:
        if result.significant and result.outcome in ("gone", "restored") and not result.changes:
            emit_event(
                event=STATUS_EVENTS[result.outcome],
                resource={
                    "prefect.resource.id": f"articlewatch.article.{store.history_key(result.url)}",
                    "articlewatch.url": result.url,
                },
                payload={"version": result.version, "alert_id": result.alert_id},
                id=uuid.uuid5(_EVENT_NAMESPACE, result.alert_id) if result.alert_id else None,
            )
            emitted += 1
            continue
        if not (result.significant and result.changes and result.alert_id):
            continue
        emit_event(
            event=CHANGED_EVENT,
            resource={
                "prefect.resource.id": f"articlewatch.article.{store.history_key(result.url)}",
                "prefect.resource.name": (result.title or result.url)[:200],
                "articlewatch.url": result.url,
            },
            payload={
                "kinds": sorted({item.kind for item in result.changes}),
                "version": result.version,
                "alert_id": result.alert_id,
            },
            id=uuid.uuid5(_EVENT_NAMESPACE, result.alert_id),
        )
        emitted += 1
    return emitted


def publish_changes_artifact(store: SnapshotStore, results: Sequence[CheckResult], finished_at: str) -> bool:
    """A markdown artifact with the run's changes (keyed, so the Prefect UI lists it); False when none."""
    changes = run_changes(store, results)
    if not changes:
        return False
    kinds = sorted({kind_label(kind) for change in changes for kind in change.kinds})
    create_markdown_artifact(
        markdown=render_run_markdown(changes, f"articlewatch: {len(changes)} changed article(s)"),
        key=ARTIFACT_KEY,
        description=f"Changes found at {finished_at}: {', '.join(kinds)}",
    )
    return True


def alert_channels(
    notify_urls: Sequence[str], extra: Sequence[SecretStr] | None
) -> tuple[notify.Channel, ...]:
    """The channels of a run: the configured ones and those given to this run."""
    return notify.run_channels(notify_urls, [secret.get_secret_value() for secret in extra or []])


def publish_run(
    store: SnapshotStore,
    results: Sequence[CheckResult],
    channels: tuple[notify.Channel, ...],
    digest: bool,
    logger: Any,
) -> None:
    """After the store stage: deliver the outbox, emit change events, publish the changes artifact."""
    deliver_alerts(store, channels, digest, logger)
    try:
        emit_change_events(store, results)
        publish_changes_artifact(store, results, utc_now())
    except ArticlewatchError as error:  # an unreadable snapshot must not cost the run its records
        logger.warning("changes not published: %s", one_line(error))

"""The alert outbox: one row per (alert, channel) in the store's index, so no alert is lost or repeated.

A row is written in the same index transaction as the version it reports (see
SnapshotStore.write_snapshot's `on_version`), and then walks through these states:

    pending --claim--> sending --sent--> delivered
       ^                  |
       +----- failed -----+   (the channel was down: kept, with its error, for a later run)

Claims are transactions under the index's writers' lock (SQLite's BEGIN IMMEDIATE, PostgreSQL's
advisory lock), so two runs, on one machine or several, never send the same row. A
row still `sending` after the lease means the run that claimed it died between claiming and
marking: it is claimed again and flagged `maybe_sent`, because nothing on this side can tell
whether the receiver got it before the crash (see articlewatch.notify for the guarantee).
Channels are stored as ids (a hash of the URL), never as URLs: the URLs hold secrets.
"""

from __future__ import annotations

import json
import weakref
from dataclasses import dataclass
from datetime import datetime, timedelta

from .alerts import Alert
from .errors import StoreError, one_line
from .index_db import IndexConnection
from .store import SnapshotStore

_CREATE_TABLE = """
CREATE TABLE IF NOT EXISTS outbox (
    alert_id TEXT NOT NULL,
    channel TEXT NOT NULL,              -- sha256 of the notification URL, never the URL itself
    created_at TEXT NOT NULL,
    alert TEXT NOT NULL,                -- the alert document (schemas/alert.schema.json)
    state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sending', 'delivered')),
    attempts INTEGER NOT NULL DEFAULT 0,
    maybe_sent INTEGER NOT NULL DEFAULT 0,
    claimed_at TEXT,
    delivered_at TEXT,
    last_error TEXT,
    PRIMARY KEY (alert_id, channel)
)"""
_CREATE_INDEX = "CREATE INDEX IF NOT EXISTS outbox_by_channel ON outbox (channel, state, created_at)"
# A run that claimed a row and has not marked it after this long is taken to have died: a send
# gives up long before (Apprise's own timeouts are seconds), so a live sender is never overtaken.
DEFAULT_LEASE_SECONDS = 600.0
# Stores whose index has the outbox table (created on first use).
_READY: weakref.WeakSet[SnapshotStore] = weakref.WeakSet()
_CLAIMABLE = "channel = ? AND (state = 'pending' OR (state = 'sending' AND claimed_at <= ?))"


@dataclass(frozen=True)
class Claimed:
    """An alert claimed for one channel; `maybe_sent` when an earlier claim died before marking it."""

    alert: Alert
    attempts: int
    maybe_sent: bool


@dataclass(frozen=True)
class ChannelState:
    """What the outbox holds for one channel."""

    pending: int
    delivered: int
    last_error: str | None


class Outbox:
    """The outbox table in a store's index."""

    def __init__(self, store: SnapshotStore) -> None:
        self._store = store
        if store in _READY:  # one check of the table per store, not one per alerting check
            return
        schema = f"{_CREATE_TABLE};\n{_CREATE_INDEX}"
        if store.index.dialect == "sqlite" or not store.index.has_schema(schema, {}):
            with store.transaction():
                store.index.create(schema)
        _READY.add(store)

    @staticmethod
    def enqueue(db: IndexConnection, alert: Alert, channel_ids: tuple[str, ...], created_at: str) -> None:
        """Owe the alert to each channel, inside the caller's transaction (a repeat is a no-op)."""
        document = json.dumps(alert.to_document(), ensure_ascii=False, sort_keys=True)
        db.executemany(
            "INSERT INTO outbox (alert_id, channel, created_at, alert) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (alert_id, channel) DO NOTHING",
            [(alert.alert_id, channel, created_at, document) for channel in channel_ids],
        )

    def claim_next(
        self, channel: str, now: str, lease_seconds: float = DEFAULT_LEASE_SECONDS
    ) -> Claimed | None:
        """Claim the oldest alert owed to a channel, or None when nothing is owed."""
        claimed = self._claim(channel, now, lease_seconds, limit=1)
        return claimed[0] if claimed else None

    def claim_all(
        self, channel: str, now: str, lease_seconds: float = DEFAULT_LEASE_SECONDS
    ) -> list[Claimed]:
        """Claim every alert owed to a channel, oldest first (one digest message carries them all)."""
        return self._claim(channel, now, lease_seconds, limit=None)

    def mark_delivered(self, channel: str, alert_ids: list[str], now: str) -> None:
        """Record that the channel has these alerts: they are never sent to it again."""
        with self._store.transaction() as db:
            db.executemany(
                "UPDATE outbox SET state = 'delivered', delivered_at = ?, last_error = NULL "
                "WHERE alert_id = ? AND channel = ?",
                [(now, alert_id, channel) for alert_id in alert_ids],
            )

    def release(self, channel: str, alert_ids: list[str], error: str) -> None:
        """Give claimed alerts back after a failed send, with the error, for a later run."""
        with self._store.transaction() as db:
            db.executemany(
                "UPDATE outbox SET state = 'pending', claimed_at = NULL, last_error = ? "
                "WHERE alert_id = ? AND channel = ? AND state = 'sending'",
                [(error, alert_id, channel) for alert_id in alert_ids],
            )

    def state(self, channel: str) -> ChannelState:
        """Counts of pending and delivered alerts of a channel, and the last error of a pending one."""
        with self._store.transaction() as db:
            pending, delivered = db.execute(
                "SELECT COALESCE(SUM(CASE WHEN state = 'delivered' THEN 0 ELSE 1 END), 0), "
                "COALESCE(SUM(CASE WHEN state = 'delivered' THEN 1 ELSE 0 END), 0) "
                "FROM outbox WHERE channel = ?",
                (channel,),
            ).fetchone()
            error = db.execute(
                "SELECT last_error FROM outbox WHERE channel = ? AND state != 'delivered' "
                "AND last_error IS NOT NULL ORDER BY created_at DESC LIMIT 1",
                (channel,),
            ).fetchone()
        return ChannelState(int(pending), int(delivered), error[0] if error else None)

    def _claim(self, channel: str, now: str, lease_seconds: float, limit: int | None) -> list[Claimed]:
        claimed: list[Claimed] = []
        with self._store.transaction() as db:
            rows = db.execute(
                f"SELECT alert_id, alert, attempts, maybe_sent, state FROM outbox WHERE {_CLAIMABLE} "
                "ORDER BY created_at, alert_id",
                (channel, _before(now, lease_seconds)),
            )
            for alert_id, document, attempts, maybe_sent, state in rows.fetchall():
                try:
                    alert = _load(alert_id, document)
                except StoreError as exc:  # a damaged row must not hold back the ones behind it
                    db.execute(
                        "UPDATE outbox SET last_error = ? WHERE alert_id = ? AND channel = ?",
                        (one_line(exc), alert_id, channel),
                    )
                    continue
                interrupted = state == "sending"
                db.execute(
                    "UPDATE outbox SET state = 'sending', claimed_at = ?, attempts = attempts + 1, "
                    "maybe_sent = ? WHERE alert_id = ? AND channel = ?",
                    (now, int(bool(maybe_sent) or interrupted), alert_id, channel),
                )
                claimed.append(Claimed(alert, attempts + 1, bool(maybe_sent) or interrupted))
                if limit is not None and len(claimed) == limit:
                    break
        return claimed


def _load(alert_id: str, document: str) -> Alert:
    source = f"outbox alert {alert_id}"
    try:
        data = json.loads(document)
    except json.JSONDecodeError as exc:
        raise StoreError(f"{source}: unreadable ({exc})") from exc
    return Alert.from_document(data, source)


def _before(now: str, seconds: float) -> str:
    # Timestamps are ISO UTC strings of one format (fetch.utc_now), so they compare as text.
    moment = datetime.fromisoformat(now.replace("Z", "+00:00")) - timedelta(seconds=seconds)
    return moment.isoformat(timespec="microseconds").replace("+00:00", "Z")

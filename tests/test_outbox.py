"""The outbox in the store's index: owed with the version, claimed once, released on failure, leased."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from articlewatch.alerts import Alert, version_alert
from articlewatch.index_db import IndexConnection
from articlewatch.models import Article, ChangeItem, HttpInfo, Snapshot
from articlewatch.outbox import Outbox
from articlewatch.store import SnapshotStore
from articlewatch.urls import article_key, host_dir

URL = "https://news.example.com/world/putin-offer"
EDIT = ChangeItem("title", "Old headline", "New headline", field="title")
NOW = "2026-11-22T08:00:00.000000Z"
LATER = "2026-11-22T08:00:01.000000Z"
AFTER_LEASE = "2026-11-22T08:10:01.000000Z"


@pytest.fixture()
def store(store_dir: Path, index_url: str | None) -> Iterator[SnapshotStore]:
    """The store on each index backend in turn: SQLite in the directory, then PostgreSQL."""
    with SnapshotStore(store_dir, index_url) as opened:
        yield opened


def candidate(title: str, fetched_at: str) -> Snapshot:
    return Snapshot(
        url=URL,
        key=article_key(URL),
        host=host_dir(URL),
        version=0,
        fetched_at=fetched_at,
        article=Article(title=title, paragraphs=("One.",)),
        fingerprint=hashlib.sha256(title.encode()).hexdigest(),
        raw_sha256="1" * 64,
        raw_bytes=5,
        http=HttpInfo(200, URL, "text/html"),
        extractor={"name": "x", "version": "1", "options": {}},
    )


def store_version(store: SnapshotStore, title: str, channels: tuple[str, ...], minute: int) -> Alert:
    """Write a version whose alert is owed to `channels` in the version's own transaction."""
    made: list[Alert] = []

    def enqueue(db: IndexConnection, written: Snapshot) -> None:
        alert = version_alert(written, (EDIT,), written.version - 1 or None)
        made.append(alert)
        Outbox.enqueue(db, alert, channels, written.fetched_at)

    Outbox(store)
    store.write_snapshot(
        candidate(title, f"2026-11-22T07:{minute:02d}:00.000000Z"), b"<html>", on_version=enqueue
    )
    return made[0]


def test_an_alert_is_stored_with_its_version_or_not_at_all(store: SnapshotStore) -> None:
    outbox = Outbox(store)
    store_version(store, "First", ("a",), 1)

    def enqueue_then_fail(db: IndexConnection, written: Snapshot) -> None:
        Outbox.enqueue(db, version_alert(written, (EDIT,), 1), ("a",), written.fetched_at)
        raise OSError("disk full")

    with pytest.raises(OSError):
        store.write_snapshot(
            candidate("Second", "2026-11-22T07:02:00Z"), b"<html>", on_version=enqueue_then_fail
        )
    assert [row.version for row in store.versions(URL)] == [1]
    assert outbox.state("a").pending == 1
    assert len(list(store.root.rglob("*.json"))) == 1, "the failed version left a file"


def test_claim_release_and_mark(store: SnapshotStore) -> None:
    first = store_version(store, "First", ("a", "b"), 1)
    second = store_version(store, "Second", ("a", "b"), 2)
    outbox = Outbox(store)

    claimed = outbox.claim_next("a", NOW)
    assert claimed is not None and claimed.alert == first and claimed.attempts == 1
    outbox.release("a", [first.alert_id], "channel down")
    assert outbox.state("a").last_error == "channel down" and outbox.state("a").pending == 2

    claimed = outbox.claim_next("a", NOW)
    assert claimed is not None and claimed.alert == first and claimed.attempts == 2
    assert not claimed.maybe_sent, "a failed send is not a possible duplicate"
    outbox.mark_delivered("a", [first.alert_id], NOW)
    claimed = outbox.claim_next("a", NOW)
    assert claimed is not None and claimed.alert == second
    outbox.mark_delivered("a", [second.alert_id], NOW)
    assert outbox.claim_next("a", LATER) is None, "a delivered alert was claimed again"
    assert outbox.state("a").delivered == 2 and outbox.state("a").pending == 0
    assert outbox.state("b").pending == 2, "channels are owed separately"


def test_enqueueing_the_same_alert_twice_owes_it_once(store: SnapshotStore) -> None:
    alert = store_version(store, "First", ("a",), 1)
    with store.transaction() as db:
        Outbox.enqueue(db, alert, ("a",), NOW)
    assert Outbox(store).state("a").pending == 1


def test_a_claim_left_by_a_crash_is_taken_again_after_the_lease_as_maybe_sent(store: SnapshotStore) -> None:
    alert = store_version(store, "First", ("a",), 1)
    outbox = Outbox(store)
    assert outbox.claim_next("a", NOW) is not None  # the claimer dies here: never marked, never released
    assert outbox.claim_next("a", LATER) is None, "a live claim was taken over"
    retried = outbox.claim_next("a", AFTER_LEASE)
    assert retried is not None and retried.alert == alert and retried.maybe_sent
    outbox.release("a", [alert.alert_id], "down")
    again = outbox.claim_next("a", AFTER_LEASE)
    assert again is not None and again.maybe_sent, "the possible duplicate was forgotten"


def test_two_processes_never_claim_the_same_alert(store_dir: Path, index_url: str | None) -> None:
    with SnapshotStore(store_dir, index_url) as store:
        owed = {store_version(store, f"Version {n}", ("a",), n).alert_id for n in range(12)}
    claims: list[str] = []
    lock = threading.Lock()

    def claimer() -> None:
        with SnapshotStore(store_dir, index_url) as own:  # its own connection, as another process has
            outbox = Outbox(own)
            while (claimed := outbox.claim_next("a", NOW)) is not None:
                with lock:
                    claims.append(claimed.alert.alert_id)

    threads = [threading.Thread(target=claimer) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(claims) == sorted(owed)


def test_a_damaged_row_does_not_hold_back_the_others(store: SnapshotStore) -> None:
    damaged = store_version(store, "First", ("a",), 1)
    fine = store_version(store, "Second", ("a",), 2)
    with store.transaction() as db:
        db.execute("UPDATE outbox SET alert = '{not json' WHERE alert_id = ?", (damaged.alert_id,))
    outbox = Outbox(store)
    claimed = outbox.claim_next("a", NOW)
    assert claimed is not None and claimed.alert == fine
    error = outbox.state("a").last_error
    assert error is not None and damaged.alert_id in error and "unreadable" in error

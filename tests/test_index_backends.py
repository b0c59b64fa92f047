"""The index behaves the same on SQLite and on PostgreSQL: each test runs once per backend."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from articlewatch.boilerplate import line_hashes
from articlewatch.models import Article, HttpInfo, Snapshot, Source
from articlewatch.store import FetchMemo, SnapshotStore
from articlewatch.urls import article_key, host_dir
from articlewatch.verify import verify_store

HOST = "https://news.example.com"
RAW = b"<html><p>the page as fetched</p></html>"
FURNITURE = "Sign up for the Morning briefing, delivered to your inbox every weekday."


def candidate(url: str, paragraphs: tuple[str, ...], fetched_at: str, key: str | None = None) -> Snapshot:
    return Snapshot(
        url=url,
        key=key or article_key(url),
        host=host_dir(url),
        version=0,
        fetched_at=fetched_at,
        article=Article(title="Title", paragraphs=paragraphs),
        fingerprint=hashlib.sha256("\n".join(paragraphs).encode()).hexdigest(),
        raw_sha256=hashlib.sha256(RAW).hexdigest(),
        raw_bytes=len(RAW),
        http=HttpInfo(200, url, "text/html"),
        extractor={"name": "x", "version": "1", "options": {}},
    )


@pytest.fixture()
def store(store_dir: Path, index_url: str | None) -> Iterator[SnapshotStore]:
    with SnapshotStore(store_dir, index_url) as opened:
        yield opened


def test_versions_number_per_article_and_list_in_order(store: SnapshotStore) -> None:
    first, second = f"{HOST}/a", f"{HOST}/b"
    for minute in range(3):
        store.write_snapshot(
            candidate(first, (f"Edit {minute} of a.",), f"2026-11-22T08:0{minute}:00Z"), b"a"
        )
    store.write_snapshot(candidate(second, ("Only b.",), "2026-11-22T08:05:00Z"), RAW)
    assert [row.version for row in store.versions(first)] == [1, 2, 3]
    assert [row.version for row in store.versions(second)] == [1]
    assert store.fingerprint_versions(first)[hashlib.sha256(b"Edit 1 of a.").hexdigest()] == 2
    [(url, rows)] = store.changed_since("2026-11-22T08:01:00Z")
    assert (url, [row.version for row in rows]) == (first, [1, 2, 3])


def test_an_alias_continues_the_history_it_joins(store: SnapshotStore) -> None:
    old, new = f"{HOST}/2026/old-slug", f"{HOST}/2026/new-slug"
    store.write_snapshot(candidate(old, ("Story.",), "2026-11-22T08:00:00Z"), RAW)
    store.join_history(new, article_key(old), "2026-11-22T09:00:00Z")
    assert store.history_key(new) == article_key(old)
    store.write_snapshot(candidate(new, ("Story, edited.",), "2026-11-22T09:00:00Z", article_key(old)), RAW)
    assert [row.version for row in store.versions(new)] == [1, 2] == [r.version for r in store.versions(old)]
    store.join_history(new, article_key(f"{HOST}/elsewhere"), "2026-11-22T10:00:00Z")  # re-joined: replaced
    assert store.history_key(new) == article_key(f"{HOST}/elsewhere")


def test_checks_gone_spells_and_the_fetch_memo(store: SnapshotStore) -> None:
    url = f"{HOST}/story"
    store.add_watch(url, "2026-11-22T07:00:00Z")
    store.record_check(url, "2026-11-22T08:00:00Z", "new", 1)
    store.record_check(url, "2026-11-22T09:00:00Z", "gone", 1, error="404")
    store.record_check(url, "2026-11-22T10:00:00Z", "error", 1, error="timed out")  # does not end the spell
    store.record_check(url, "2026-11-22T11:00:00Z", "gone", 1, error="404")
    assert store.gone_since(url) == "2026-11-22T09:00:00Z"
    assert [c.outcome for c in store.checks(url, limit=3)] == ["gone", "error", "gone"]
    store.record_check(url, "2026-11-22T12:00:00Z", "restored", 1, memo=FetchMemo('"v1"', None, "2" * 64))
    assert not store.is_gone(url)
    assert store.fetch_memo(url).etag == '"v1"'
    watch = store.watch(url)
    assert watch is not None and (watch.last_checked, watch.last_outcome) == (
        "2026-11-22T12:00:00Z",
        "restored",
    )
    store.set_check_interval(url, 90.5)
    assert store.watches()[0].every_seconds == 90.5


def test_sources_and_discoveries(store: SnapshotStore) -> None:
    feed = f"{HOST}/feed.xml"
    store.add_source(Source(feed, "feed", "2026-11-22T07:00:00Z", 3600.0))
    store.add_source(Source(feed, "feed", "2026-11-22T07:00:00Z", 1800.0, match="/20"))  # updated in place
    assert store.record_discovery(f"{HOST}/2026/new", feed, "2026-11-22T08:00:00Z") is True
    assert store.record_discovery(f"{HOST}/2026/new", feed, "2026-11-22T08:05:00Z") is False
    store.record_source_check(feed, "2026-11-22T08:00:00Z", None)
    [source] = store.sources()
    assert (source.every_seconds, source.match, source.found, source.last_checked) == (
        1800.0,
        "/20",
        1,
        "2026-11-22T08:00:00Z",
    )
    assert store.discovery(f"{HOST}/2026/new") == ("2026-11-22T08:00:00Z", feed)
    assert store.remove_source(feed) is True and store.sources() == []


def test_host_line_statistics_count_articles_not_versions(store: SnapshotStore) -> None:
    urls = [f"{HOST}/story-{n}" for n in range(3)]
    for n, url in enumerate(urls):
        for edit in range(2):  # versions repeat the furniture line: it counts once per article
            text = (f"Story {n} says something of its own, edit {edit}.", FURNITURE)
            store.write_snapshot(candidate(url, text, f"2026-11-22T08:{n}{edit}:00Z"), RAW)
    furniture = line_hashes(Article(title="", paragraphs=(FURNITURE,)))
    own = line_hashes(Article(title="", paragraphs=("Story 0 says something of its own, edit 0.",)))
    assert store.common_lines("news.example.com", furniture | own, 3) == furniture
    assert store.common_lines("news.example.com", furniture, 4) == frozenset()
    assert store.common_lines("other.example.org", furniture, 1) == frozenset()


def test_rebuild_gives_back_versions_watches_and_line_statistics(
    store: SnapshotStore, store_dir: Path, index_url: str | None
) -> None:
    urls = [f"{HOST}/story-{n}" for n in range(3)]
    for n, url in enumerate(urls):
        store.write_snapshot(candidate(url, (f"Story {n}.", FURNITURE), f"2026-11-22T08:0{n}:00Z"), RAW)
    furniture = line_hashes(Article(title="", paragraphs=(FURNITURE,)))
    with store.transaction() as db:  # an index that lost everything but its tables
        for table in ("versions", "watches", "article_lines", "host_lines"):
            db.execute(f"DELETE FROM {table}")
    assert store.common_lines("news.example.com", furniture, 3) == frozenset()
    assert store.rebuild_index() == 3
    assert sorted(w.url for w in store.watches()) == urls
    assert store.common_lines("news.example.com", furniture, 3) == furniture
    assert verify_store(store_dir, index_url) == []

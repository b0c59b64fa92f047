"""What the index keeps for the schedule: a watch's own interval, its last change, its page dates."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from pathlib import Path

from articlewatch import pipeline
from articlewatch.demo.articles import DemoArticle
from articlewatch.demo.newsroom import Newsroom
from articlewatch.fetch import make_client
from articlewatch.store import INDEX_FILE, SnapshotStore
from articlewatch.urls import article_key

OLD_INDEX = """
CREATE TABLE watches (
    key TEXT PRIMARY KEY, url TEXT NOT NULL, host TEXT NOT NULL, added_at TEXT NOT NULL,
    last_checked TEXT, last_outcome TEXT, etag TEXT, last_modified TEXT, raw_sha256 TEXT);
CREATE TABLE versions (
    key TEXT NOT NULL, version INTEGER NOT NULL, url TEXT NOT NULL, path TEXT NOT NULL UNIQUE,
    fetched_at TEXT NOT NULL, fingerprint TEXT NOT NULL, raw_sha256 TEXT NOT NULL, title TEXT,
    PRIMARY KEY (key, version));
"""
URL = "https://news.example/a"


def test_an_index_from_before_the_schedule_gains_its_columns(store_dir: Path) -> None:
    store_dir.mkdir()
    with sqlite3.connect(store_dir / INDEX_FILE) as db:
        db.executescript(OLD_INDEX)
        db.execute(
            "INSERT INTO watches (key, url, host, added_at) VALUES (?, ?, ?, ?)",
            (article_key(URL), URL, "news.example", "2026-01-01T00:00:00Z"),
        )
    with SnapshotStore(store_dir) as store:
        [watch] = store.watches()
        assert watch.every_seconds is None and watch.last_changed is None and watch.published is None
        store.set_check_interval(URL, 7200)
    with SnapshotStore(store_dir) as store:  # opening again changes nothing
        assert store.watches()[0].every_seconds == 7200


def test_last_change_and_page_dates_follow_the_stored_versions(
    newsroom: Newsroom, seeds: dict[str, DemoArticle], store: SnapshotStore
) -> None:
    article = seeds["cnbc"]
    url = newsroom.publish({"cnbc": article})["cnbc"]
    store.add_watch(url, "2026-01-01T00:00:00Z")
    with make_client(5.0) as client:
        assert pipeline.check_url(url, store, client).outcome == "new"
        [watch] = store.watches()
        assert watch.last_changed is None  # a first version is not a change
        assert watch.published and watch.published.startswith(article.published[:10])
        newsroom.publish(
            {"cnbc": replace(article, title="A new headline", updated="2018-07-20T09:00:00+00:00")}
        )
        changed = pipeline.check_url(url, store, client)
    assert changed.outcome == "changed"
    [watch] = store.watches()
    assert watch.last_changed == store.versions(url)[-1].fetched_at
    assert watch.updated and watch.updated.startswith("2018-07-20")

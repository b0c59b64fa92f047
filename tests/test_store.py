"""The snapshot store: atomic versioned files, schema validation, an index rebuilt from files."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from articlewatch.errors import StoreError
from articlewatch.models import Article, HttpInfo, Snapshot
from articlewatch.store import INDEX_FILE, SnapshotStore
from articlewatch.urls import article_key, host_dir

URL = "https://news.example.com/world/2018/07/19/trump-putin?id=1#comments"


@pytest.fixture()
def store(store_dir: Path, index_url: str | None) -> Iterator[SnapshotStore]:
    """The store on each index backend in turn: SQLite in the directory, then PostgreSQL."""
    with SnapshotStore(store_dir, index_url) as opened:
        yield opened


def candidate(
    paragraphs: tuple[str, ...] = ("One.", "Two."), fetched_at: str = "2026-11-22T08:00:00.000001Z"
) -> Snapshot:
    return Snapshot(
        url=URL,
        key=article_key(URL),
        host=host_dir(URL),
        version=0,
        fetched_at=fetched_at,
        article=Article(title="T", paragraphs=paragraphs),
        fingerprint="0" * 64,
        raw_sha256="1" * 64,
        raw_bytes=5,
        http=HttpInfo(200, URL, "text/html"),
        extractor={"name": "x", "version": "1", "options": {}},
    )


def test_layout_is_host_key_stamp_and_paths_never_hold_url_text(store: SnapshotStore) -> None:
    written = store.write_snapshot(candidate(), b"<html>")
    assert written.path == f"news.example.com/{article_key(URL)}/20261122T080000.000001Z.json"
    assert (store.root / written.path).with_name("20261122T080000.000001Z.html.gz").is_file()
    assert "trump" not in written.path


def test_versions_number_up_and_read_back(store: SnapshotStore) -> None:
    store.write_snapshot(candidate(("One.",)), b"a")
    second = store.write_snapshot(candidate(("One.", "Two."), "2026-11-22T09:00:00Z"), b"b")
    assert second.version == 2
    assert [row.version for row in store.versions(URL)] == [1, 2]
    latest = store.latest(URL)
    assert latest is not None and latest.article.paragraphs == ("One.", "Two.")
    assert store.raw_html(latest) == b"b"


def test_fragment_and_host_case_do_not_split_history(store: SnapshotStore) -> None:
    store.write_snapshot(candidate(), b"a")
    assert store.latest("https://NEWS.example.com/world/2018/07/19/trump-putin?id=1") is not None


def test_invalid_snapshot_is_refused_and_nothing_written(store: SnapshotStore) -> None:
    with pytest.raises(StoreError, match="snapshot schema"):
        store.write_snapshot(candidate(paragraphs=()), b"a")
    assert not list(store.root.rglob("*.json")) and not list(store.root.rglob("*.tmp"))


def test_corrupt_snapshot_file_gives_one_line_error_naming_it(store: SnapshotStore) -> None:
    written = store.write_snapshot(candidate(), b"a")
    path = store.root / str(written.path)
    path.write_bytes(b"\xff\xfe{not json")
    with pytest.raises(StoreError) as caught:
        store.latest(URL)
    assert str(path) in str(caught.value) and "\n" not in str(caught.value)


def test_index_rebuilds_from_files(store_dir: Path) -> None:
    with SnapshotStore(store_dir) as store:
        store.write_snapshot(candidate(), b"a")
        store.write_snapshot(candidate(("Changed.",), "2026-11-22T09:00:00Z"), b"b")
    (store_dir / INDEX_FILE).unlink()
    for leftover in store_dir.glob(INDEX_FILE + "-*"):
        leftover.unlink()
    with SnapshotStore(store_dir) as store:
        assert store.versions(URL) == []
        assert store.rebuild_index() == 2
        assert [row.version for row in store.versions(URL)] == [1, 2]
        assert [w.url for w in store.watches()] == [URL]


def test_file_written_but_not_indexed_is_picked_up_before_the_next_write(store: SnapshotStore) -> None:
    store.write_snapshot(candidate(), b"a")
    # Simulate a crash after the file rename but before the index commit.
    with store.transaction() as db:
        db.execute("DELETE FROM versions")
    third = store.write_snapshot(candidate(("New.",), "2026-11-22T10:00:00Z"), b"c")
    assert third.version == 2
    assert [row.version for row in store.versions(URL)] == [1, 2]


def test_snapshot_json_is_readable_utf8(store: SnapshotStore) -> None:
    written = store.write_snapshot(candidate(("Ersin Çelik wrote “this”.",)), b"a")
    document = json.loads((store.root / str(written.path)).read_text(encoding="utf-8"))
    assert document["schema_version"] == 1
    assert document["article"]["paragraphs"] == ["Ersin Çelik wrote “this”."]


def test_watchlist_add_is_idempotent_and_remove_keeps_snapshots(store: SnapshotStore) -> None:
    store.add_watch(URL, "2026-11-22T08:00:00Z")
    store.add_watch(URL, "2026-11-22T09:00:00Z")
    assert len(store.watches()) == 1
    store.write_snapshot(candidate(), b"a")
    assert store.remove_watch(URL) is True and store.watches() == []
    assert store.latest(URL) is not None
    assert store.remove_watch(URL) is False

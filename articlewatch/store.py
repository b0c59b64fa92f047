"""Snapshots on disk plus the index (SQLite, or a PostgreSQL several workers share) that finds them.

Layout under the store root (a directory, or an fsspec URL such as s3://bucket/prefix: articlewatch.blobs):
    <host>/<article-key>/<UTC stamp>.json      one version, validated against snapshot.schema.json
    <host>/<article-key>/<UTC stamp>.html.gz   the raw HTML of that version
    index.sqlite3                               watchlist, checks, versions (rebuildable from files);
                                                absent when `index` names a PostgreSQL database

The JSON file is the commit point of a version: it is renamed into place only after the raw
HTML beside it is complete, and the index row follows. A crash in between leaves a file the
index does not know yet; `reconcile` (run before every write and by `rebuild_index`) adds it,
and removes what an interrupted write left unfinished (a temporary file, a raw HTML file whose
JSON never landed). Writers hold the index's write lock (SQLite's BEGIN IMMEDIATE, PostgreSQL's
advisory lock: see index_db.py) while they touch an article's files, so threads and processes,
on one machine or several, never interleave their writes; `locked()` extends that lock over a
read-decide-write sequence. verify.py checks a store and repairs it.
"""

from __future__ import annotations

import gzip
import json
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from collections.abc import Set as AbstractSet
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from isal import igzip

from . import __version__
from .blobs import QUARANTINE_DIR, Blobs, open_blobs, raw_name, unfinished
from .boilerplate import line_hashes
from .errors import ArticlewatchError, StoreError
from .failpoints import failpoint
from .index_db import IndexConnection, open_index
from .models import Article, HttpInfo, Snapshot, Source, Watch
from .redact import redact_url
from .schemas import SNAPSHOT_SCHEMA_VERSION, validate
from .urls import article_key, host_dir

INDEX_FILE = "index.sqlite3"
# Raw HTML is kept gzipped, written by ISA-L (isal): plain gzip that any gzip reads, the stdlib's
# included. On the AEB pages its level 2 takes 0.26 ms a page against 1.27 ms for zlib's level 3
# (the biggest CPU cost of storing a version, and of a cold pass's own process after
# extraction), for files 3% larger; zlib's default level 6 takes 2.9 ms for files 11% smaller.
RAW_GZIP_LEVEL = 2
__all__ = ["INDEX_FILE", "QUARANTINE_DIR", "SnapshotStore"]  # QUARANTINE_DIR: from articlewatch.blobs
_INDEX_SCHEMA = """
CREATE TABLE IF NOT EXISTS watches (
    key TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    host TEXT NOT NULL,
    added_at TEXT NOT NULL,
    last_checked TEXT,
    last_outcome TEXT,
    etag TEXT,
    last_modified TEXT,
    raw_sha256 TEXT,
    every_seconds REAL
);
CREATE TABLE IF NOT EXISTS versions (
    key TEXT NOT NULL,
    version INTEGER NOT NULL,
    url TEXT NOT NULL,
    path TEXT NOT NULL UNIQUE,
    fetched_at TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    raw_sha256 TEXT NOT NULL,
    title TEXT,
    published TEXT,
    updated TEXT,
    PRIMARY KEY (key, version)
);
CREATE TABLE IF NOT EXISTS checks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL,
    url TEXT NOT NULL,
    checked_at TEXT NOT NULL,
    outcome TEXT NOT NULL,
    version INTEGER,
    error TEXT
);
CREATE INDEX IF NOT EXISTS checks_by_key ON checks (key, checked_at);
CREATE TABLE IF NOT EXISTS aliases (
    alias TEXT PRIMARY KEY,       -- article_key of a URL that continues another history
    history TEXT NOT NULL,        -- the key whose directory holds that history
    url TEXT NOT NULL,
    joined_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS sources (
    url TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    added_at TEXT NOT NULL,
    every_seconds REAL NOT NULL,
    match TEXT,
    feed_url TEXT,
    last_checked TEXT,
    last_error TEXT
);
CREATE TABLE IF NOT EXISTS discoveries (
    key TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    source TEXT NOT NULL,
    first_seen TEXT NOT NULL
);
-- Per-host line statistics (articlewatch.boilerplate): the lines of each article ever stored,
-- and per host how many articles each line was seen in. Rebuilt by rebuild_index.
CREATE TABLE IF NOT EXISTS article_lines (
    key TEXT NOT NULL,
    line TEXT NOT NULL,
    PRIMARY KEY (key, line)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS host_lines (
    host TEXT NOT NULL,
    line TEXT NOT NULL,
    pages INTEGER NOT NULL,
    PRIMARY KEY (host, line)
) WITHOUT ROWID;
"""


_SQL_BATCH = 500  # host parameters per query, well under SQLite's limit
# Columns added after the first release: (table -> column -> type), added to older indexes on open.
_ADDED_COLUMNS = {
    "watches": {"every_seconds": "REAL"},
    "versions": {"published": "TEXT", "updated": "TEXT"},
}
# For the schedule: when the article last changed, and the dates its latest version gives.
_HISTORY_KEY = "COALESCE((SELECT a.history FROM aliases a WHERE a.alias = w.key), w.key)"
_LAST_CHANGED = f"(SELECT MAX(v.fetched_at) FROM versions v WHERE v.key = {_HISTORY_KEY} AND v.version > 1)"
_LATEST_VERSION_FIELD = (
    "(SELECT v.{field} FROM versions v WHERE v.key = " + _HISTORY_KEY + " ORDER BY v.version DESC LIMIT 1)"
)


@dataclass(frozen=True)
class VersionRow:
    """One version as the index lists it."""

    version: int
    fetched_at: str
    path: str
    title: str | None


@dataclass(frozen=True)
class CheckRow:
    """One recorded check."""

    checked_at: str
    outcome: str
    version: int | None
    error: str | None


@dataclass(frozen=True)
class FetchMemo:
    """What the last successful fetch of a watch left for the next one (conditional GET, raw hash)."""

    etag: str | None
    last_modified: str | None
    raw_sha256: str | None


@dataclass(frozen=True)
class WatchState:
    """What a batch reads of a watch before fetching it, in one query for many URLs."""

    memo: FetchMemo
    version: int | None  # the latest version of the watch's history
    # The last check found the page gone or failed: whether it is in an unpublished spell
    # (and answering now restores it) takes the per-URL path (gone_since).
    maybe_gone: bool


@dataclass(frozen=True)
class UnchangedCheck:
    """A check that found the page as it was (a 304, or the same raw bytes): logged, nothing stored."""

    url: str
    checked_at: str
    version: int | None
    memo: FetchMemo


class SnapshotStore:
    """Snapshot files (a local directory or shared storage) and their index; safe to share between threads.

    `root` is a path or an fsspec URL (articlewatch.blobs); `index` the index database, required
    when root is a URL (an index cannot live on object storage): None means index.sqlite3 in root.
    """

    def __init__(self, root: str | os.PathLike[str], index: str | None = None) -> None:
        self.blobs: Blobs = open_blobs(root)
        self.location = self.blobs.location  # the root as people read it: a path, or a URL
        self._lock = threading.RLock()
        self._depth = 0  # nesting of _transaction on this connection (under self._lock)
        # SQLite under the root by default; a PostgreSQL URL for an index several workers share.
        self.index = open_index(index, self._default_index_file(index))
        self._db = self.index.connection
        self._begin = self.index.begin_write
        try:
            self._create_schema()
        except sqlite3.DatabaseError as exc:
            self.index.close()
            raise StoreError(
                f"{self.index.location}: unusable index ({exc}); run `articlewatch verify --repair`"
            ) from exc
        except BaseException:
            self.index.close()
            raise

    @property
    def root(self) -> Path:
        """The store's directory; StoreError for a store on shared storage (see `location`)."""
        if self.blobs.local_root is None:
            raise StoreError(f"{self.location}: not a local directory (a store on shared storage)")
        return self.blobs.local_root

    def file_location(self, relative: str) -> str:
        """Where a store file is, for people and records: a local path, or a URL on shared storage."""
        return self.blobs.show(relative)

    def _default_index_file(self, index: str | None) -> Path:
        if self.blobs.local_root is not None:
            return self.blobs.local_root / INDEX_FILE
        if index is None:
            raise StoreError(
                f"{self.location}: a store on shared storage needs its index elsewhere: set `index` "
                "(ARTICLEWATCH_INDEX), e.g. postgresql+psycopg://user@host/db"
            )
        return Path(INDEX_FILE)  # not used: `index` names the database

    def _create_schema(self) -> None:
        # An index written by an older articlewatch lacks the newer columns; `reindex` fills them.
        if self.index.dialect == "sqlite":
            self.index.create(_INDEX_SCHEMA)
            self.index.add_columns(_ADDED_COLUMNS)
            return
        # Looked at first without the lock: opening a store then costs two reads, and never waits
        # for a worker (or a store of this process) that holds the lock.
        if self.index.has_schema(_INDEX_SCHEMA, _ADDED_COLUMNS):
            return
        # Under the writers' lock: PostgreSQL's CREATE TABLE IF NOT EXISTS is not safe against
        # another worker creating the same table at the same moment.
        with self._transaction():
            self.index.create(_INDEX_SCHEMA)
            self.index.add_columns(_ADDED_COLUMNS)

    def close(self) -> None:
        """Close the index connection."""
        self.index.close()

    def __enter__(self) -> SnapshotStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @contextmanager
    def _transaction(self) -> Iterator[IndexConnection]:
        # BEGIN IMMEDIATE takes SQLite's write lock up front (PostgreSQL: BEGIN and the index's
        # advisory lock), so two processes that both want to write version N+1 are serialized
        # instead of both reading N. A transaction opened inside another (a write inside
        # `locked()`) is a savepoint of the outer one.
        with self._lock:
            if self._depth:
                savepoint = f"nested_{self._depth}"
                self._db.execute(f"SAVEPOINT {savepoint}")
                self._depth += 1
                try:
                    yield self._db
                except BaseException:
                    self._db.execute(f"ROLLBACK TO {savepoint}")
                    raise
                finally:
                    self._depth -= 1
                    self._db.execute(f"RELEASE {savepoint}")
                return
            self._db.execute(self._begin)
            self._depth = 1
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            finally:
                self._depth = 0
            self._db.execute("COMMIT")
            failpoint("index.commit")

    def locked(self) -> AbstractContextManager[IndexConnection]:
        """Hold the index's write lock (against other threads and processes) across a read-decide-write
        sequence; the store's writes inside it commit together when it ends."""
        return self._transaction()

    def reconcile(self, url: str) -> None:
        """Index the version files of a URL's history that an interrupted run left unindexed."""
        key = self.history_key(url)
        # Locally every host directory is scanned; on shared storage (a request per host) only
        # where this URL's versions go: its last version's host, else its own (see store_stage).
        hosts = () if self.blobs.local_root else {host_dir(url), *self._last_version_host(url)}
        with self._transaction() as db:
            for directory in self.blobs.history_directories(key, hosts):
                self._reconcile_directory(db, directory)

    def _last_version_host(self, url: str) -> list[str]:
        rows = self.versions(url)
        return [rows[-1].path.split("/", 1)[0]] if rows else []

    def transaction(self) -> AbstractContextManager[IndexConnection]:
        """A write transaction on the index, for tables kept beside it (the alert outbox)."""
        return self._transaction()

    # -- watchlist -------------------------------------------------------------------------

    def add_watch(self, url: str, added_at: str) -> Watch:
        """Add a URL to the watchlist (no-op when it is there already) and return its watch."""
        key = article_key(url)
        with self._transaction() as db:
            db.execute(
                "INSERT INTO watches (key, url, host, added_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (key) DO NOTHING",
                (key, url, host_dir(url), added_at),
            )
        watch = self.watch(url)
        assert watch is not None
        return watch

    def set_check_interval(self, url: str, every_seconds: float | None) -> None:
        """Give a watch its own check interval in seconds, or None to follow the adaptive schedule."""
        with self._transaction() as db:
            db.execute(
                "UPDATE watches SET every_seconds = ? WHERE key = ?", (every_seconds, article_key(url))
            )

    def remove_watch(self, url: str) -> bool:
        """Stop watching a URL; its snapshots stay. True when it was watched."""
        with self._transaction() as db:
            cursor = db.execute("DELETE FROM watches WHERE key = ?", (article_key(url),))
        return cursor.rowcount > 0

    def watch(self, url: str) -> Watch | None:
        """The watch of a URL, or None."""
        rows = self._select_watches("WHERE w.key = ?", (article_key(url),))
        return rows[0] if rows else None

    def watches(self) -> list[Watch]:
        """Every watch, in the order they were added."""
        return self._select_watches("", ())

    def _select_watches(self, where: str, args: tuple[Any, ...]) -> list[Watch]:
        query = (
            "SELECT w.url, w.key, w.host, w.added_at, w.last_checked, w.last_outcome, "
            "(SELECT COUNT(*) FROM versions v WHERE v.key = "
            "COALESCE((SELECT a.history FROM aliases a WHERE a.alias = w.key), w.key)), "
            f"w.every_seconds, {_LAST_CHANGED}, {_LATEST_VERSION_FIELD.format(field='published')}, "
            f"{_LATEST_VERSION_FIELD.format(field='updated')} "
            f"FROM watches w {where} ORDER BY w.added_at, w.url"
        )
        with self._lock:
            rows = self._db.execute(query, args).fetchall()
        return [Watch(*row) for row in rows]

    def fetch_memo(self, url: str) -> FetchMemo:
        """ETag, Last-Modified and raw hash of the last good fetch of a URL."""
        with self._lock:
            row = self._db.execute(
                "SELECT etag, last_modified, raw_sha256 FROM watches WHERE key = ?",
                (article_key(url),),
            ).fetchone()
        return FetchMemo(*row) if row else FetchMemo(None, None, None)

    def watch_states(self, urls: Sequence[str]) -> dict[str, WatchState]:
        """Fetch memo, latest version and gone hint of each watched URL (URLs not watched are left out)."""
        keys: dict[str, str] = {}
        for url in urls:
            try:
                keys[article_key(url)] = url
            except ArticlewatchError:  # a malformed URL: its check reports it
                continue
        wanted = list(keys)
        states: dict[str, WatchState] = {}
        with self._lock:
            for start in range(0, len(wanted), _SQL_BATCH):
                batch = wanted[start : start + _SQL_BATCH]
                rows = self._db.execute(
                    "SELECT w.key, w.etag, w.last_modified, w.raw_sha256, w.last_outcome, "
                    f"(SELECT MAX(v.version) FROM versions v WHERE v.key = {_HISTORY_KEY}) "
                    f"FROM watches w WHERE w.key IN ({','.join('?' * len(batch))})",
                    tuple(batch),
                ).fetchall()
                for key, etag, last_modified, raw_sha256, last_outcome, version in rows:
                    states[keys[key]] = WatchState(
                        FetchMemo(etag, last_modified, raw_sha256),
                        None if version is None else int(version),
                        last_outcome in ("gone", "error"),
                    )
        return states

    def record_unchanged(self, checks: Sequence[UnchangedCheck]) -> list[UnchangedCheck]:
        """Log many checks that stored nothing, in one transaction; return those it left alone: the
        pages found gone before (answering again restores them: the caller's per-URL path)."""
        if not checks:
            return []
        left: list[UnchangedCheck] = []
        logged: list[UnchangedCheck] = []
        with self._transaction() as db:
            # Read under the write lock: a run that recorded `gone` since the batch read its
            # states is seen here.
            keys = [article_key(check.url) for check in checks]
            failed: set[str] = set()
            for start in range(0, len(keys), _SQL_BATCH):
                batch = keys[start : start + _SQL_BATCH]
                failed.update(
                    row[0]
                    for row in db.execute(
                        f"SELECT key FROM watches WHERE key IN ({','.join('?' * len(batch))}) "
                        "AND last_outcome IN ('gone', 'error')",
                        tuple(batch),
                    ).fetchall()
                )
            for key, check in zip(keys, checks, strict=True):
                if key in failed and self.gone_since(check.url):
                    left.append(check)
                else:
                    logged.append(check)
            if not logged:
                return left
            db.executemany(
                "INSERT INTO checks (key, url, checked_at, outcome, version, error) "
                "VALUES (?, ?, ?, 'unchanged', ?, NULL)",
                [(article_key(c.url), c.url, c.checked_at, c.version) for c in logged],
            )
            db.executemany(
                "UPDATE watches SET last_checked = ?, last_outcome = 'unchanged', etag = ?, "
                "last_modified = ?, raw_sha256 = ? WHERE key = ?",
                [
                    (c.checked_at, c.memo.etag, c.memo.last_modified, c.memo.raw_sha256, article_key(c.url))
                    for c in logged
                ],
            )
        return left

    # -- article identity ------------------------------------------------------------------

    def history_key(self, url: str) -> str:
        """The key of the history a URL belongs to: its own, unless it was joined to another."""
        key = article_key(url)
        with self._lock:
            row = self._db.execute("SELECT history FROM aliases WHERE alias = ?", (key,)).fetchone()
        return str(row[0]) if row else key

    def join_history(self, url: str, history_key: str, joined_at: str) -> None:
        """Record that a URL continues the history `history_key` (a redirect, canonical link or new slug)."""
        key = article_key(url)
        if key == history_key:
            return
        with self._transaction() as db:
            db.execute(
                "INSERT INTO aliases (alias, history, url, joined_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (alias) DO UPDATE SET history = excluded.history, url = excluded.url, "
                "joined_at = excluded.joined_at",
                (key, history_key, url, joined_at),
            )

    def has_versions(self, history_key: str) -> bool:
        """Whether any version is stored under a history key."""
        with self._lock:
            row = self._db.execute("SELECT 1 FROM versions WHERE key = ? LIMIT 1", (history_key,)).fetchone()
        return row is not None

    # -- sources and discoveries -----------------------------------------------------------

    def add_source(self, source: Source) -> None:
        """Follow a source (replacing its settings when it is followed already)."""
        with self._transaction() as db:
            db.execute(
                "INSERT INTO sources (url, kind, added_at, every_seconds, match, feed_url) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(url) DO UPDATE SET kind = excluded.kind, "
                "every_seconds = excluded.every_seconds, match = excluded.match, "
                "feed_url = excluded.feed_url",
                (
                    source.url,
                    source.kind,
                    source.added_at,
                    source.every_seconds,
                    source.match,
                    source.feed_url,
                ),
            )

    def remove_source(self, url: str) -> bool:
        """Stop following a source; the articles found through it stay watched. True when it was followed."""
        with self._transaction() as db:
            cursor = db.execute("DELETE FROM sources WHERE url = ?", (url,))
        return cursor.rowcount > 0

    def sources(self) -> list[Source]:
        """Every followed source, in the order they were added."""
        with self._lock:
            rows = self._db.execute(
                "SELECT s.url, s.kind, s.added_at, s.every_seconds, s.match, s.feed_url, s.last_checked, "
                "s.last_error, (SELECT COUNT(*) FROM discoveries d WHERE d.source = s.url) "
                "FROM sources s ORDER BY s.added_at, s.url"
            ).fetchall()
        return [Source(*row) for row in rows]

    def record_source_check(self, url: str, checked_at: str, error: str | None) -> None:
        """Note when a source was read and whether that failed."""
        with self._transaction() as db:
            db.execute(
                "UPDATE sources SET last_checked = ?, last_error = ? WHERE url = ?", (checked_at, error, url)
            )

    def record_discovery(self, url: str, source_url: str, seen_at: str) -> bool:
        """Watch a URL found in a source, once: False when it (or an article it joins) is tracked already."""
        key = article_key(url)
        with self._transaction() as db:
            joined = db.execute("SELECT 1 FROM aliases WHERE alias = ?", (key,)).fetchone()
            known = db.execute("SELECT 1 FROM watches WHERE key = ?", (key,)).fetchone()
            if joined or known:
                return False
            db.execute(
                "INSERT INTO watches (key, url, host, added_at) VALUES (?, ?, ?, ?)",
                (key, url, host_dir(url), seen_at),
            )
            db.execute(
                "INSERT INTO discoveries (key, url, source, first_seen) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (key) DO NOTHING",
                (key, url, source_url, seen_at),
            )
        return True

    def discovery(self, url: str) -> tuple[str, str] | None:
        """(first_seen, source URL) of a discovered article, or None when it was added by hand."""
        with self._lock:
            row = self._db.execute(
                "SELECT first_seen, source FROM discoveries WHERE key = ?", (article_key(url),)
            ).fetchone()
        return (str(row[0]), str(row[1])) if row else None

    # -- checks ----------------------------------------------------------------------------

    def record_check(
        self,
        url: str,
        checked_at: str,
        outcome: str,
        version: int | None,
        error: str | None = None,
        memo: FetchMemo | None = None,
    ) -> None:
        """Log one check and update the watch's last-check fields (and fetch memo when given)."""
        key = article_key(url)
        with self._transaction() as db:
            db.execute(
                "INSERT INTO checks (key, url, checked_at, outcome, version, error) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (key, url, checked_at, outcome, version, error),
            )
            db.execute(
                "UPDATE watches SET last_checked = ?, last_outcome = ? WHERE key = ?",
                (checked_at, outcome, key),
            )
            if memo is not None:
                db.execute(
                    "UPDATE watches SET etag = ?, last_modified = ?, raw_sha256 = ? WHERE key = ?",
                    (memo.etag, memo.last_modified, memo.raw_sha256, key),
                )

    def is_gone(self, url: str) -> bool:
        """Whether the last check that reached the page found it gone (errors in between do not count)."""
        return self.gone_since(url) is not None

    def gone_since(self, url: str) -> str | None:
        """When the page was first found gone in its current unpublished spell, or None if it is not gone."""
        with self._lock:
            rows = self._db.execute(
                "SELECT outcome, checked_at FROM checks WHERE key = ? AND outcome != 'error' "
                "ORDER BY id DESC LIMIT 200",
                (article_key(url),),
            ).fetchall()
        since = None
        for outcome, checked_at in rows:
            if outcome != "gone":
                break
            since = str(checked_at)
        return since

    def checks(self, url: str, limit: int = 50) -> list[CheckRow]:
        """The most recent checks of a URL, newest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT checked_at, outcome, version, error FROM checks WHERE key = ? "
                "ORDER BY id DESC LIMIT ?",
                (article_key(url), limit),
            ).fetchall()
        return [CheckRow(*row) for row in rows]

    # -- versions --------------------------------------------------------------------------

    def versions(self, url: str) -> list[VersionRow]:
        """Every stored version of a URL, oldest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT version, fetched_at, path, title FROM versions WHERE key = ? ORDER BY version",
                (self.history_key(url),),
            ).fetchall()
        return [VersionRow(*row) for row in rows]

    def changed_since(self, since: str) -> list[tuple[str, list[VersionRow]]]:
        """Articles with a version 2+ fetched at or after `since`: each one's URL and all its versions."""
        with self._lock:
            keys = self._db.execute(
                "SELECT key, MAX(fetched_at) AS last FROM versions WHERE version > 1 AND fetched_at >= ? "
                "GROUP BY key ORDER BY last DESC",
                (since,),
            ).fetchall()
            articles = []
            for key, _ in keys:
                rows = self._db.execute(
                    "SELECT version, fetched_at, path, title, url FROM versions WHERE key = ? "
                    "ORDER BY version",
                    (key,),
                ).fetchall()
                articles.append((str(rows[-1][4]), [VersionRow(*row[:4]) for row in rows]))
        return articles

    def fingerprint_versions(self, url: str) -> dict[str, int]:
        """Fingerprint -> the first version that had it, for every stored version of a URL."""
        with self._lock:
            rows = self._db.execute(
                "SELECT fingerprint, MIN(version) FROM versions WHERE key = ? GROUP BY fingerprint",
                (self.history_key(url),),
            ).fetchall()
        return {str(row[0]): int(row[1]) for row in rows}

    def latest(self, url: str) -> Snapshot | None:
        """The newest stored version of a URL, or None before its first."""
        rows = self.versions(url)
        return self.load(rows[-1].path) if rows else None

    def snapshot(self, url: str, version: int) -> Snapshot:
        """One stored version; StoreError when there is no such version."""
        for row in self.versions(url):
            if row.version == version:
                return self.load(row.path)
        raise StoreError(f"{url}: no version {version} in {self.location}")

    def raw_html(self, snapshot: Snapshot) -> bytes:
        """The raw HTML stored beside a snapshot."""
        if snapshot.path is None:
            raise StoreError(f"{snapshot.url}: snapshot has no path")
        relative = raw_name(snapshot.path)
        try:
            return gzip.decompress(self.blobs.read(relative))
        except (OSError, EOFError, gzip.BadGzipFile) as exc:
            raise StoreError(f"{self.blobs.show(relative)}: unreadable raw HTML ({exc})") from exc

    def write_snapshot(
        self,
        candidate: Snapshot,
        raw_html: bytes,
        on_version: Callable[[IndexConnection, Snapshot], None] | None = None,
    ) -> Snapshot:
        """Store a new version (its number assigned here) atomically and index it; return it with path.

        `on_version` runs inside the transaction that indexes the version, before the files are
        written: what it records (the outbox's alert) commits together with the version or not at all.
        """
        directory = f"{candidate.host}/{candidate.key}"
        with self._transaction() as db:
            names = self._reconcile_directory(db, directory)
            row = db.execute(
                "SELECT COALESCE(MAX(version), 0) FROM versions WHERE key = ?", (candidate.key,)
            ).fetchone()
            stamp = _file_stamp(candidate.fetched_at)
            json_file = f"{directory}/{_unique_name(names, stamp)}"
            snapshot = replace(candidate, version=row[0] + 1, path=json_file)
            document = snapshot_to_dict(snapshot, raw_file=raw_name(json_file).rsplit("/", 1)[-1])
            validate("snapshot", document, self.blobs.show(json_file))
            if on_version is not None:
                on_version(db, snapshot)
            # Raw HTML first, JSON last: the JSON is the version's commit point (module doc).
            self.blobs.write(
                raw_name(json_file), igzip.compress(raw_html, compresslevel=RAW_GZIP_LEVEL, mtime=0)
            )
            failpoint("snapshot.raw")
            self.blobs.write(json_file, _dump(document))
            failpoint("snapshot.json")
            self._index_version(db, snapshot)
        return snapshot

    def load(self, path: str | os.PathLike[str]) -> Snapshot:
        """Read and validate one snapshot file (a str relative to the store, or a local path in it);
        StoreError naming the file when it is bad."""
        relative = path if isinstance(path, str) else Path(path).relative_to(self.root).as_posix()
        shown = self.blobs.show(relative)
        try:
            document = json.loads(self.blobs.read(relative).decode("utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
            raise StoreError(f"{shown}: unreadable snapshot ({type(exc).__name__}: {exc})") from exc
        written_by = document.get("schema_version") if isinstance(document, dict) else None
        if isinstance(written_by, int) and written_by > SNAPSHOT_SCHEMA_VERSION:
            raise StoreError(
                f"{shown}: written by a newer articlewatch (snapshot schema_version {written_by}; "
                f"this one reads up to {SNAPSHOT_SCHEMA_VERSION}): upgrade articlewatch"
            )
        validate("snapshot", document, shown)
        return snapshot_from_dict(document, relative)

    def common_lines(self, host: str, lines: AbstractSet[str], min_pages: int) -> frozenset[str]:
        """Those of the line hashes that the host's articles share: seen in min_pages articles or more."""
        wanted = sorted(lines)
        found: set[str] = set()
        with self._lock:
            for start in range(0, len(wanted), _SQL_BATCH):
                batch = wanted[start : start + _SQL_BATCH]
                rows = self._db.execute(
                    f"SELECT line FROM host_lines WHERE host = ? AND pages >= ? "
                    f"AND line IN ({','.join('?' * len(batch))})",
                    (host, min_pages, *batch),
                ).fetchall()
                found.update(row[0] for row in rows)
        return frozenset(found)

    def indexed_versions(self) -> dict[str, tuple[str, int, str, str]]:
        """Every indexed version: path -> (key, version, fingerprint, raw SHA-256), for verify."""
        with self._lock:
            rows = self._db.execute(
                "SELECT path, key, version, fingerprint, raw_sha256 FROM versions"
            ).fetchall()
        return {str(row[0]): (str(row[1]), int(row[2]), str(row[3]), str(row[4])) for row in rows}

    def rebuild_index(self) -> int:
        """Re-index every snapshot file under the root (watches included); return how many versions."""
        with self._transaction() as db:
            db.execute("DELETE FROM versions")
            db.execute("DELETE FROM article_lines")
            db.execute("DELETE FROM host_lines")
            for directory in self.blobs.article_directories():
                self._reconcile_directory(db, directory, add_watches=True)
            count = db.execute("SELECT COUNT(*) FROM versions").fetchone()[0]
        return int(count)

    def _reconcile_directory(
        self, db: IndexConnection, directory: str, add_watches: bool = False
    ) -> list[str]:
        """The names of the directory's files, once what an interrupted write left is settled."""
        # Files a crashed run wrote but never indexed become versions now; what it left
        # unfinished goes. Safe only under the write lock: no other writer is mid-write here.
        # One listing of the directory serves all of it (on shared storage each costs a request).
        names = self.blobs.files(directory)
        if not names:
            return []
        leftovers = unfinished(names)
        for leftover in leftovers:
            self.blobs.remove(f"{directory}/{leftover}")
        key = directory.rsplit("/", 1)[-1]
        known = {row[0] for row in db.execute("SELECT path FROM versions WHERE key = ?", (key,)).fetchall()}
        for name in names:
            relative = f"{directory}/{name}"
            if not name.endswith(".json") or name.startswith(".") or relative in known:
                continue
            snapshot = self.load(relative)
            self._index_version(db, snapshot)
            if add_watches:
                db.execute(
                    "INSERT INTO watches (key, url, host, added_at) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT (key) DO NOTHING",
                    (snapshot.key, snapshot.url, snapshot.host, snapshot.fetched_at),
                )
        return [name for name in names if name not in leftovers]

    @staticmethod
    def _index_version(db: IndexConnection, snapshot: Snapshot) -> None:
        # A row for the same (key, version) is replaced, as rebuild_index and reconcile expect.
        # (SQLite's INSERT OR REPLACE also dropped a row holding the same path under another
        # version; paths are unique per version file, so that never happens while writes hold the lock.)
        db.execute(
            "INSERT INTO versions "
            "(key, version, url, path, fetched_at, fingerprint, raw_sha256, title, published, updated) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key, version) DO UPDATE SET "
            "url = excluded.url, path = excluded.path, fetched_at = excluded.fetched_at, "
            "fingerprint = excluded.fingerprint, raw_sha256 = excluded.raw_sha256, title = excluded.title, "
            "published = excluded.published, updated = excluded.updated",
            (
                snapshot.key,
                snapshot.version,
                snapshot.url,
                snapshot.path,
                snapshot.fetched_at,
                snapshot.fingerprint,
                snapshot.raw_sha256,
                snapshot.article.title,
                snapshot.article.published,
                snapshot.article.updated,
            ),
        )
        # Each article counts once per line for its host, however many versions repeat the line.
        for line in line_hashes(snapshot.article):
            added = db.execute(
                "INSERT INTO article_lines (key, line) VALUES (?, ?) ON CONFLICT (key, line) DO NOTHING",
                (snapshot.key, line),
            ).rowcount
            if added:
                db.execute(
                    "INSERT INTO host_lines (host, line, pages) VALUES (?, ?, 1) "
                    "ON CONFLICT (host, line) DO UPDATE SET pages = host_lines.pages + 1",
                    (snapshot.host, line),
                )


def snapshot_to_dict(snapshot: Snapshot, raw_file: str) -> dict[str, Any]:
    """The JSON document of a snapshot (schema version 1)."""
    return {
        "schema_version": SNAPSHOT_SCHEMA_VERSION,
        "url": redact_url(snapshot.url),
        "key": snapshot.key,
        "host": snapshot.host,
        "version": snapshot.version,
        "fetched_at": snapshot.fetched_at,
        "http": {
            "status": snapshot.http.status,
            "final_url": redact_url(snapshot.http.final_url),
            "content_type": snapshot.http.content_type,
            "etag": snapshot.http.etag,
            "last_modified": snapshot.http.last_modified,
        },
        "raw": {"file": raw_file, "sha256": snapshot.raw_sha256, "bytes": snapshot.raw_bytes},
        "extractor": {**snapshot.extractor, "articlewatch": __version__},
        "fingerprint": snapshot.fingerprint,
        "article": snapshot.article.to_dict(),
    }


def snapshot_from_dict(document: dict[str, Any], path: str | None = None) -> Snapshot:
    """A Snapshot from its JSON document (any supported schema version)."""
    http = document["http"]
    return Snapshot(
        url=document["url"],
        key=document["key"],
        host=document["host"],
        version=document["version"],
        fetched_at=document["fetched_at"],
        article=Article.from_dict(document["article"]),
        fingerprint=document["fingerprint"],
        raw_sha256=document["raw"]["sha256"],
        raw_bytes=document["raw"]["bytes"],
        http=HttpInfo(
            status=http["status"],
            final_url=http["final_url"],
            content_type=http["content_type"],
            etag=http.get("etag"),
            last_modified=http.get("last_modified"),
        ),
        extractor=document["extractor"],
        path=path,
    )


def _file_stamp(fetched_at: str) -> str:
    moment = datetime.fromisoformat(fetched_at.replace("Z", "+00:00"))
    return moment.strftime("%Y%m%dT%H%M%S.%fZ")


def _unique_name(names: list[str], stamp: str) -> str:
    taken = set(names)
    name, suffix = f"{stamp}.json", 1
    while name in taken:  # two versions in the same microsecond: keep both
        name = f"{stamp}{suffix}.json"
        suffix += 1
    return name


def _dump(document: dict[str, Any]) -> bytes:
    return (json.dumps(document, ensure_ascii=False, indent=2, sort_keys=False) + "\n").encode("utf-8")

"""Snapshots on disk plus the SQLite index that finds them.

Layout under the store root:
    <host>/<article-key>/<UTC stamp>.json      one version, validated against snapshot.schema.json
    <host>/<article-key>/<UTC stamp>.html.gz   the raw HTML of that version
    index.sqlite3                               watchlist, checks, versions (rebuildable from files)

The JSON file is the commit point of a version: it is renamed into place only after the raw
HTML beside it is complete, and the index row follows. A crash in between leaves a file the
index does not know yet; `reconcile` (run before every write and by `rebuild_index`) adds it.
"""

from __future__ import annotations

import gzip
import json
import os
import sqlite3
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from . import __version__
from .errors import StoreError
from .models import Article, HttpInfo, Snapshot, Watch
from .schemas import SNAPSHOT_SCHEMA_VERSION, validate
from .urls import article_key, host_dir

INDEX_FILE = "index.sqlite3"
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
    raw_sha256 TEXT
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
"""


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


class SnapshotStore:
    """A directory of snapshots and its index; safe to share between threads of one process."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"{self.root}: cannot create store directory ({exc.strerror})") from exc
        self._lock = threading.RLock()
        try:
            self._db = sqlite3.connect(
                self.root / INDEX_FILE, timeout=30.0, check_same_thread=False, isolation_level=None
            )
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_INDEX_SCHEMA)
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.root / INDEX_FILE}: unusable index ({exc}); run rebuild") from exc

    def close(self) -> None:
        """Close the index connection."""
        self._db.close()

    def __enter__(self) -> SnapshotStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        # BEGIN IMMEDIATE takes SQLite's write lock up front, so two processes that both
        # want to write version N+1 are serialized instead of both reading N.
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    # -- watchlist -------------------------------------------------------------------------

    def add_watch(self, url: str, added_at: str) -> Watch:
        """Add a URL to the watchlist (no-op when it is there already) and return its watch."""
        key = article_key(url)
        with self._transaction() as db:
            db.execute(
                "INSERT OR IGNORE INTO watches (key, url, host, added_at) VALUES (?, ?, ?, ?)",
                (key, url, host_dir(url), added_at),
            )
        watch = self.watch(url)
        assert watch is not None
        return watch

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
            "(SELECT COUNT(*) FROM versions v WHERE v.key = w.key) "
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
                (article_key(url),),
            ).fetchall()
        return [VersionRow(*row) for row in rows]

    def latest(self, url: str) -> Snapshot | None:
        """The newest stored version of a URL, or None before its first."""
        rows = self.versions(url)
        return self.load(self.root / rows[-1].path) if rows else None

    def snapshot(self, url: str, version: int) -> Snapshot:
        """One stored version; StoreError when there is no such version."""
        for row in self.versions(url):
            if row.version == version:
                return self.load(self.root / row.path)
        raise StoreError(f"{url}: no version {version} in {self.root}")

    def raw_html(self, snapshot: Snapshot) -> bytes:
        """The raw HTML stored beside a snapshot."""
        if snapshot.path is None:
            raise StoreError(f"{snapshot.url}: snapshot has no path")
        path = self._raw_path(self.root / snapshot.path)
        try:
            return gzip.decompress(path.read_bytes())
        except (OSError, EOFError, gzip.BadGzipFile) as exc:
            raise StoreError(f"{path}: unreadable raw HTML ({exc})") from exc

    def write_snapshot(self, candidate: Snapshot, raw_html: bytes) -> Snapshot:
        """Store a new version (its number assigned here) atomically and index it; return it with path."""
        directory = self.root / candidate.host / candidate.key
        with self._transaction() as db:
            self._reconcile_directory(db, directory)
            row = db.execute(
                "SELECT COALESCE(MAX(version), 0) FROM versions WHERE key = ?", (candidate.key,)
            ).fetchone()
            stamp = _file_stamp(candidate.fetched_at)
            json_path = _unique_path(directory, stamp)
            snapshot = replace(
                candidate,
                version=row[0] + 1,
                path=str(json_path.relative_to(self.root)),
            )
            document = snapshot_to_dict(snapshot, raw_file=self._raw_path(json_path).name)
            validate("snapshot", document, str(json_path))
            directory.mkdir(parents=True, exist_ok=True)
            _atomic_write(self._raw_path(json_path), gzip.compress(raw_html, compresslevel=6, mtime=0))
            _atomic_write(json_path, _dump(document))
            self._index_version(db, snapshot)
        return snapshot

    def load(self, path: Path) -> Snapshot:
        """Read and validate one snapshot file; StoreError naming the file when it is bad."""
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise StoreError(f"{path}: unreadable snapshot ({type(exc).__name__}: {exc})") from exc
        validate("snapshot", document, str(path))
        return snapshot_from_dict(document, str(path.relative_to(self.root)))

    def rebuild_index(self) -> int:
        """Re-index every snapshot file under the root (watches included); return how many versions."""
        with self._transaction() as db:
            db.execute("DELETE FROM versions")
            for directory in sorted(p for p in self.root.glob("*/*") if p.is_dir()):
                self._reconcile_directory(db, directory, add_watches=True)
            count = db.execute("SELECT COUNT(*) FROM versions").fetchone()[0]
        return int(count)

    def _reconcile_directory(
        self, db: sqlite3.Connection, directory: Path, add_watches: bool = False
    ) -> None:
        # Files a crashed run wrote but never indexed become versions now.
        if not directory.is_dir():
            return
        known = {
            row[0]
            for row in db.execute("SELECT path FROM versions WHERE key = ?", (directory.name,)).fetchall()
        }
        for path in sorted(directory.glob("*.json")):
            relative = str(path.relative_to(self.root))
            if relative in known:
                continue
            snapshot = self.load(path)
            self._index_version(db, snapshot)
            if add_watches:
                db.execute(
                    "INSERT OR IGNORE INTO watches (key, url, host, added_at) VALUES (?, ?, ?, ?)",
                    (snapshot.key, snapshot.url, snapshot.host, snapshot.fetched_at),
                )

    @staticmethod
    def _index_version(db: sqlite3.Connection, snapshot: Snapshot) -> None:
        db.execute(
            "INSERT OR REPLACE INTO versions "
            "(key, version, url, path, fetched_at, fingerprint, raw_sha256, title) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                snapshot.key,
                snapshot.version,
                snapshot.url,
                snapshot.path,
                snapshot.fetched_at,
                snapshot.fingerprint,
                snapshot.raw_sha256,
                snapshot.article.title,
            ),
        )

    @staticmethod
    def _raw_path(json_path: Path) -> Path:
        return json_path.with_name(json_path.name[: -len(".json")] + ".html.gz")


def snapshot_to_dict(snapshot: Snapshot, raw_file: str) -> dict[str, Any]:
    """The JSON document of a snapshot (schema version 1)."""
    return {
        "schema_version": SNAPSHOT_SCHEMA_VERSION,
        "url": snapshot.url,
        "key": snapshot.key,
        "host": snapshot.host,
        "version": snapshot.version,
        "fetched_at": snapshot.fetched_at,
        "http": {
            "status": snapshot.http.status,
            "final_url": snapshot.http.final_url,
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


def _unique_path(directory: Path, stamp: str) -> Path:
    path = directory / f"{stamp}.json"
    suffix = 1
    while path.exists():  # two versions in the same microsecond: keep both
        path = directory / f"{stamp}{suffix}.json"
        suffix += 1
    return path


def _dump(document: dict[str, Any]) -> bytes:
    return (json.dumps(document, ensure_ascii=False, indent=2, sort_keys=False) + "\n").encode("utf-8")


def _atomic_write(path: Path, data: bytes) -> None:
    # Write beside the target and rename: readers see the old file or the whole new one.
    descriptor, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise

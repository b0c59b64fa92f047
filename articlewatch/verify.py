"""Check a store against itself, and repair it: `articlewatch verify [--repair]`.

verify reads every snapshot file (JSON, schema, where it lies, its raw HTML and that file's
SHA-256) and compares the files with the index, one Problem per thing wrong. It writes nothing
and takes the store's write lock only for a moment at the end, to tell a real leftover from a
write a running check is in the middle of. A store on shared storage (an fsspec URL) is checked
the same way through articlewatch.blobs, each file read once over the network.

On a PostgreSQL index (`index` setting) the same checks run against its tables; the server
keeps the database itself sound, so SQLite's integrity check and quarantine do not apply.

repair, under the store's write lock (checks running meanwhile wait):
- an index SQLite cannot use is moved to quarantine/ and a new one is built (watches come back
  from the snapshots; check history, sources and URL aliases do not);
- a version whose JSON or raw HTML is bad (unreadable, off-schema, in the wrong directory, a
  duplicate version number) is moved, both files, to quarantine/<same path> in the store (on an
  object store: copied, then deleted): nothing is deleted;
- what interrupted writes left unfinished (temporary files, raw HTML without its JSON) is
  removed, as the next write to that article would do;
- the versions table is rebuilt from the files.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import sqlite3
import zlib
from contextlib import closing
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .blobs import Blobs, is_url, open_blobs, raw_name, unfinished
from .errors import ArticlewatchError, StoreError, one_line
from .index_db import index_kind, sqlite_path
from .redact import redact_url
from .schemas import validate
from .store import INDEX_FILE, QUARANTINE_DIR, SnapshotStore

# Problems a running check can cause for a moment (it renames a file, then commits its row):
# verify confirms them under the write lock before reporting them.
_IN_FLIGHT = frozenset({"unindexed", "unfinished", "missing", "index-mismatch"})


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a store: the file (relative to the store) and what is wrong with it."""

    path: str
    kind: str
    message: str
    version_files: tuple[str, ...] = ()  # the files repair moves to quarantine for it

    def line(self) -> str:
        """The one-line report: `<path>: <what is wrong>`."""
        return f"{self.path}: {self.message}"


@dataclass(frozen=True)
class RepairReport:
    """What repair found and did."""

    problems: tuple[Problem, ...]
    quarantined: tuple[str, ...]
    removed: tuple[str, ...]
    indexed: int


@dataclass
class _IndexRow:
    key: str
    version: int
    fingerprint: str
    raw_sha256: str


@dataclass
class _Scan:
    problems: list[Problem] = field(default_factory=list)
    versions: dict[tuple[str, int], list[tuple[str, str]]] = field(default_factory=dict)


def verify_store(root: str | Path, index: str | None = None) -> list[Problem]:
    """Every problem of the store at root, files and index (`index`: the store's index URL), in path order."""
    store_root = _location(root)
    blobs = open_blobs(store_root, create=False)
    index_problem = _index_problem(store_root, index)
    problems = _compare(blobs, None if index_problem else _index_rows(store_root, index))
    if index_problem:
        return [index_problem, *problems]
    suspects = [problem for problem in problems if problem.kind in _IN_FLIGHT]
    if suspects:
        # Under the write lock no writer is between its rename and its commit: what is still
        # wrong now is really wrong.
        with SnapshotStore(store_root, index) as store, store.locked():
            confirmed = _compare(blobs, _index_rows(store_root, index, store))
        lines = {problem.line() for problem in confirmed}
        problems = [p for p in problems if p.kind not in _IN_FLIGHT or p.line() in lines]
    return problems


def repair_store(root: str | Path, now: datetime | None = None, index: str | None = None) -> RepairReport:
    """Quarantine bad files, remove unfinished ones, rebuild the index from the rest (see module doc)."""
    store_root = _location(root)
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    quarantined: list[str] = []
    index_problem = _index_problem(store_root, index)
    if index_problem is not None:  # only ever a SQLite file: a PostgreSQL index is the server's to keep
        path = _sqlite_file(store_root, index)
        # Into the quarantine/ of a local store; a store on shared storage: beside the index file.
        base = Path(store_root) if isinstance(store_root, Path) else path.parent
        for name in (path.name, f"{path.name}-wal", f"{path.name}-shm"):
            source = path.parent / name
            if source.exists():
                quarantined.append(_quarantine_local(base, source, Path(stamp) / name))
    with SnapshotStore(store_root, index) as store, store.locked():
        blobs = store.blobs
        problems = _compare(blobs, None if index_problem else _index_rows(store_root, index, store))
        removed: list[str] = []
        for problem in problems:
            if problem.kind == "unfinished":
                blobs.remove(problem.path)
                removed.append(problem.path)
            for relative in problem.version_files:
                if blobs.exists(relative):
                    quarantined.append(_quarantine(blobs, relative, relative))
        indexed = store.rebuild_index()
    found = (index_problem, *problems) if index_problem else tuple(problems)
    return RepairReport(found, tuple(quarantined), tuple(removed), indexed)


def _location(root: str | os.PathLike[str]) -> str | Path:
    return os.fspath(root) if is_url(root) else Path(root)


def _sqlite_file(root: str | Path, index: str | None) -> Path:
    """The SQLite file of the index: the one `index` names, else index.sqlite3 in a local store."""
    if isinstance(root, Path):
        return sqlite_path(index, root / INDEX_FILE)
    if index is None:
        raise StoreError(
            f"{redact_url(root)}: a store on shared storage needs its index elsewhere: "
            "set `index` (ARTICLEWATCH_INDEX)"
        )
    return sqlite_path(index, Path(INDEX_FILE))


def _index_problem(root: str | Path, index: str | None) -> Problem | None:
    if index_kind(index) == "postgresql":
        # PostgreSQL keeps its own integrity (no quick_check to run); an unreachable server or a
        # refused login is a StoreError naming the index, not something repair could fix.
        with SnapshotStore(root, index):
            return None
    path = _sqlite_file(root, index)
    if not path.exists():
        return Problem(INDEX_FILE, "index-missing", "no index (repair builds one from the snapshots)")
    try:
        with closing(sqlite3.connect(path, timeout=30.0)) as db:
            result = db.execute("PRAGMA quick_check").fetchone()
            db.execute("SELECT key, version, path FROM versions LIMIT 1").fetchall()
    except sqlite3.DatabaseError as exc:
        return Problem(INDEX_FILE, "index-corrupt", f"unusable index ({exc})")
    if result is None or result[0] != "ok":
        return Problem(INDEX_FILE, "index-corrupt", f"index fails its integrity check ({result})")
    return None


def _index_rows(
    root: str | Path, index: str | None, store: SnapshotStore | None = None
) -> dict[str, _IndexRow]:
    # Under the lock the rows come through the store holding it: on PostgreSQL, inside its transaction.
    if index_kind(index) == "postgresql":
        if store is not None:
            return {path: _IndexRow(*row) for path, row in store.indexed_versions().items()}
        with SnapshotStore(root, index) as opened:
            return _index_rows(root, index, opened)
    with closing(sqlite3.connect(_sqlite_file(root, index), timeout=30.0)) as db:
        rows = db.execute("SELECT path, key, version, fingerprint, raw_sha256 FROM versions").fetchall()
    return {str(row[0]): _IndexRow(*row[1:]) for row in rows}


def _compare(blobs: Blobs, rows: dict[str, _IndexRow] | None) -> list[Problem]:
    """File problems and, unless rows is None (no usable index), disagreements with the index rows."""
    scan = _Scan()
    seen: set[str] = set()
    for directory in blobs.article_directories():
        names = blobs.files(directory)
        for leftover in unfinished(names):
            what = "temporary file" if leftover.endswith(".tmp") else "raw HTML without its snapshot"
            scan.problems.append(
                Problem(f"{directory}/{leftover}", "unfinished", f"{what} left by an interrupted write")
            )
        for name in names:
            if name.endswith(".json") and not name.startswith("."):
                relative = f"{directory}/{name}"
                seen.add(relative)
                _check_file(blobs, relative, rows, scan)
    for (key, version), files in sorted(scan.versions.items()):
        if len(files) > 1:
            kept, *others = sorted(files)
            for _, relative in others:
                raw = raw_name(relative)
                scan.problems.append(
                    Problem(
                        relative,
                        "duplicate",
                        f"version {version} of {key} again (also {kept[1]})",
                        (relative, raw),
                    )
                )
    for relative in sorted(set(rows or ()) - seen):
        scan.problems.append(Problem(relative, "missing", "listed in the index, but the file is missing"))
    return sorted(scan.problems, key=lambda problem: (problem.path, problem.kind))


def _check_file(blobs: Blobs, relative: str, rows: dict[str, _IndexRow] | None, scan: _Scan) -> None:
    host, key, _ = relative.split("/")
    raw_relative = raw_name(relative)
    pair = (relative, raw_relative)
    document = _read_json(blobs, relative, pair, scan)
    if document is None:
        return
    try:
        validate("snapshot", document, relative)
    except StoreError as exc:
        scan.problems.append(Problem(relative, "invalid", one_line(exc).removeprefix(f"{relative}: "), pair))
        return
    if document["key"] != key or document["host"] != host:
        where = f"{document['host']}/{document['key']}"
        scan.problems.append(Problem(relative, "misplaced", f"belongs in {where}/, not here", pair))
        return
    raw_problem = _raw_problem(blobs, f"{host}/{key}/{document['raw']['file']}", document)
    if raw_problem:
        scan.problems.append(Problem(raw_relative, "raw", raw_problem, pair))
        return
    scan.versions.setdefault((document["key"], document["version"]), []).append(
        (document["fetched_at"], relative)
    )
    if rows is None:
        return
    row = rows.get(relative)
    if row is None:
        scan.problems.append(Problem(relative, "unindexed", "not in the index"))
    elif (row.key, row.version, row.fingerprint, row.raw_sha256) != (
        document["key"],
        document["version"],
        document["fingerprint"],
        document["raw"]["sha256"],
    ):
        scan.problems.append(
            Problem(relative, "index-mismatch", f"the index says version {row.version}, the file another")
        )


def _read_json(blobs: Blobs, relative: str, pair: tuple[str, str], scan: _Scan) -> dict[str, Any] | None:
    try:
        document = json.loads(blobs.read(relative).decode("utf-8"))
    except UnicodeDecodeError as exc:
        message = f"not UTF-8 text ({exc.reason} at byte {exc.start})"
        scan.problems.append(Problem(relative, "unreadable", message, pair))
        return None
    except (OSError, ValueError, RecursionError, ArticlewatchError) as exc:
        scan.problems.append(Problem(relative, "unreadable", f"not a JSON document ({one_line(exc)})", pair))
        return None
    if not isinstance(document, dict):
        scan.problems.append(Problem(relative, "invalid", "not a JSON object", pair))
        return None
    return document


def _raw_problem(blobs: Blobs, raw_relative: str, document: dict[str, Any]) -> str | None:
    try:
        data = gzip.decompress(blobs.read(raw_relative))
    except FileNotFoundError:
        return "raw HTML file missing"
    except (OSError, EOFError, zlib.error, ArticlewatchError) as exc:
        return f"raw HTML unreadable ({one_line(exc)})"
    if hashlib.sha256(data).hexdigest() != document["raw"]["sha256"]:
        return "raw HTML does not match the SHA-256 its snapshot records"
    if len(data) != document["raw"]["bytes"]:
        return f"raw HTML is {len(data)} bytes, its snapshot says {document['raw']['bytes']}"
    return None


def _quarantine(blobs: Blobs, relative: str, target_relative: str) -> str:
    wanted = f"{QUARANTINE_DIR}/{target_relative}"
    target, number = wanted, 0
    while blobs.exists(target):  # quarantined before: keep both
        number += 1
        target = f"{wanted}.{number}"
    blobs.move(relative, target)
    return target


def _quarantine_local(base: Path, source: Path, target_relative: Path) -> str:
    wanted = base / QUARANTINE_DIR / target_relative
    target, number = wanted, 0
    while target.exists():  # quarantined before: keep both
        number += 1
        target = wanted.with_name(f"{wanted.name}.{number}")
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(str(source), str(target))
    return str(target.relative_to(base))

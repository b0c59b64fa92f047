"""Check a store against itself, and repair it: `articlewatch verify [--repair]`.

verify reads every snapshot file (JSON, schema, where it lies, its raw HTML and that file's
SHA-256) and compares the files with the index, one Problem per thing wrong. It writes nothing
and takes the store's write lock only for a moment at the end, to tell a real leftover from a
write a running check is in the middle of.

repair, under the store's write lock (checks running meanwhile wait):
- an index SQLite cannot use is moved to quarantine/ and a new one is built (watches come back
  from the snapshots; check history, sources and URL aliases do not);
- a version whose JSON or raw HTML is bad (unreadable, off-schema, in the wrong directory, a
  duplicate version number) is moved, both files, to quarantine/<same path>: nothing is deleted;
- what interrupted writes left unfinished (temporary files, raw HTML without its JSON) is
  removed, as the next write to that article would do;
- the versions table is rebuilt from the files.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import shutil
import sqlite3
import zlib
from contextlib import closing
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .errors import StoreError, one_line
from .schemas import validate
from .store import INDEX_FILE, QUARANTINE_DIR, SnapshotStore, article_directories, unfinished_files

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


def verify_store(root: str | Path) -> list[Problem]:
    """Every problem of the store at root, files and index, in path order."""
    store_root = Path(root)
    index_problem = _index_problem(store_root)
    problems = _compare(store_root, None if index_problem else _index_rows(store_root))
    if index_problem:
        return [index_problem, *problems]
    suspects = [problem for problem in problems if problem.kind in _IN_FLIGHT]
    if suspects:
        # Under the write lock no writer is between its rename and its commit: what is still
        # wrong now is really wrong.
        with SnapshotStore(store_root) as store, store.locked():
            confirmed = _compare(store_root, _index_rows(store_root))
        lines = {problem.line() for problem in confirmed}
        problems = [p for p in problems if p.kind not in _IN_FLIGHT or p.line() in lines]
    return problems


def repair_store(root: str | Path, now: datetime | None = None) -> RepairReport:
    """Quarantine bad files, remove unfinished ones, rebuild the index from the rest (see module doc)."""
    store_root = Path(root)
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    quarantined: list[str] = []
    index_problem = _index_problem(store_root)
    if index_problem is not None:
        for name in (INDEX_FILE, f"{INDEX_FILE}-wal", f"{INDEX_FILE}-shm"):
            if (store_root / name).exists():
                quarantined.append(_quarantine(store_root, Path(name), Path(stamp) / name))
    with SnapshotStore(store_root) as store, store.locked():
        problems = _compare(store_root, None if index_problem else _index_rows(store_root))
        removed: list[str] = []
        for problem in problems:
            if problem.kind == "unfinished":
                (store_root / problem.path).unlink(missing_ok=True)
                removed.append(problem.path)
            for relative in problem.version_files:
                if (store_root / relative).exists():
                    quarantined.append(_quarantine(store_root, Path(relative), Path(relative)))
        indexed = store.rebuild_index()
    found = (index_problem, *problems) if index_problem else tuple(problems)
    return RepairReport(found, tuple(quarantined), tuple(removed), indexed)


def _index_problem(root: Path) -> Problem | None:
    path = root / INDEX_FILE
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


def _index_rows(root: Path) -> dict[str, _IndexRow]:
    with closing(sqlite3.connect(root / INDEX_FILE, timeout=30.0)) as db:
        rows = db.execute("SELECT path, key, version, fingerprint, raw_sha256 FROM versions").fetchall()
    return {str(row[0]): _IndexRow(*row[1:]) for row in rows}


def _compare(root: Path, rows: dict[str, _IndexRow] | None) -> list[Problem]:
    """File problems and, unless rows is None (no usable index), disagreements with the index rows."""
    scan = _Scan()
    seen: set[str] = set()
    for directory in article_directories(root):
        for leftover in unfinished_files(directory):
            relative = _relative(root, leftover)
            what = "temporary file" if leftover.name.endswith(".tmp") else "raw HTML without its snapshot"
            scan.problems.append(Problem(relative, "unfinished", f"{what} left by an interrupted write"))
        for path in sorted(directory.glob("*.json")):
            relative = _relative(root, path)
            seen.add(relative)
            _check_file(path, relative, rows, scan)
    for (key, version), files in sorted(scan.versions.items()):
        if len(files) > 1:
            kept, *others = sorted(files)
            for _, relative in others:
                raw = str(Path(relative).with_name(Path(relative).name[: -len(".json")] + ".html.gz"))
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


def _check_file(path: Path, relative: str, rows: dict[str, _IndexRow] | None, scan: _Scan) -> None:
    raw_relative = str(Path(relative).with_name(path.name[: -len(".json")] + ".html.gz"))
    pair = (relative, raw_relative)
    document = _read_json(path, relative, pair, scan)
    if document is None:
        return
    try:
        validate("snapshot", document, relative)
    except StoreError as exc:
        scan.problems.append(Problem(relative, "invalid", one_line(exc).removeprefix(f"{relative}: "), pair))
        return
    if document["key"] != path.parent.name or document["host"] != path.parent.parent.name:
        where = f"{document['host']}/{document['key']}"
        scan.problems.append(Problem(relative, "misplaced", f"belongs in {where}/, not here", pair))
        return
    raw_problem = _raw_problem(path.parent / document["raw"]["file"], document)
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


def _read_json(path: Path, relative: str, pair: tuple[str, str], scan: _Scan) -> dict[str, Any] | None:
    try:
        document = json.loads(path.read_bytes().decode("utf-8"))
    except UnicodeDecodeError as exc:
        message = f"not UTF-8 text ({exc.reason} at byte {exc.start})"
        scan.problems.append(Problem(relative, "unreadable", message, pair))
        return None
    except (OSError, ValueError, RecursionError) as exc:
        scan.problems.append(Problem(relative, "unreadable", f"not a JSON document ({one_line(exc)})", pair))
        return None
    if not isinstance(document, dict):
        scan.problems.append(Problem(relative, "invalid", "not a JSON object", pair))
        return None
    return document


def _raw_problem(raw_path: Path, document: dict[str, Any]) -> str | None:
    try:
        data = gzip.decompress(raw_path.read_bytes())
    except FileNotFoundError:
        return "raw HTML file missing"
    except (OSError, EOFError, zlib.error) as exc:
        return f"raw HTML unreadable ({one_line(exc)})"
    if hashlib.sha256(data).hexdigest() != document["raw"]["sha256"]:
        return "raw HTML does not match the SHA-256 its snapshot records"
    if len(data) != document["raw"]["bytes"]:
        return f"raw HTML is {len(data)} bytes, its snapshot says {document['raw']['bytes']}"
    return None


def _relative(root: Path, path: Path) -> str:
    return str(path.relative_to(root))


def _quarantine(root: Path, relative: Path, target_relative: Path) -> str:
    wanted = root / QUARANTINE_DIR / target_relative
    target, number = wanted, 0
    while target.exists():  # quarantined before: keep both
        number += 1
        target = wanted.with_name(f"{wanted.name}.{number}")
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(str(root / relative), str(target))
    return str(target.relative_to(root))

"""The database under a store's index: SQLite in the store directory (the default) or a shared PostgreSQL.

`open_index` gives an `IndexDatabase`: a connection with the small interface the store and the
outbox use (`execute(sql, params)` -> a cursor with fetchone/fetchall/rowcount, `executemany`),
the statement that opens a write transaction holding the writers' lock, and DDL per dialect.

SQL is written once, in the subset both understand: `?` placeholders, `INSERT ... ON CONFLICT`,
no `%`, no boolean arithmetic. The differences stay here:
- SQLite is the stdlib sqlite3 connection itself, so the embedded default pays nothing extra;
  its writers' lock is `BEGIN IMMEDIATE`, one writer per database file.
- PostgreSQL is a psycopg 3 connection made by a SQLAlchemy engine (URL parsing, driver
  options), used at the driver level: SQLAlchemy's execution layer doubled the cost of each
  statement on loopback (0.77 ms against 0.35 ms), and the store sends only plain SQL. `?` is
  rewritten to psycopg's `%s` once per distinct statement. Outside a write transaction each
  statement commits on its own, as SQLite's autocommit does. The writers' lock is a
  transaction-scoped advisory lock, one per index (database and schema): like SQLite's write
  lock it serializes every writer of the index and is released by COMMIT or ROLLBACK, or by
  the server when a worker's connection dies.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import re
import sqlite3
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol

from .errors import StoreError, one_line
from .redact import redact_url

Dialect = Literal["sqlite", "postgresql"]
# libpq waits for an unreachable host as long as the OS does; a check run should fail in seconds.
_CONNECT_TIMEOUT_SECONDS = 10
_POSTGRES_SCHEMES = ("postgresql", "postgres", "postgresql+psycopg")


class IndexCursor(Protocol):
    """What a statement returns: sqlite3.Cursor and psycopg's Cursor both fit."""

    @property
    def rowcount(self) -> int: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> Sequence[Any]: ...


class IndexConnection(Protocol):
    """The part of a DB-API connection the store uses; `?` placeholders on every backend."""

    def execute(self, sql: str, parameters: Any = ..., /) -> IndexCursor: ...

    def executemany(self, sql: str, parameters: Iterable[Any], /) -> IndexCursor: ...


@dataclass(frozen=True)
class IndexDatabase:
    """An open index: its connection, dialect, where it is (for messages), and how to lock and close it."""

    connection: IndexConnection
    dialect: Dialect
    location: str  # the file, or the URL with its password redacted
    begin_write: str  # opens a write transaction holding the writers' lock
    close: Callable[[], None]

    def create(self, schema: str) -> None:
        """Run a schema script (SQLite DDL, `CREATE ... IF NOT EXISTS`) in the caller's transaction if any."""
        # Statement by statement: sqlite3's executescript would commit the caller's transaction.
        for statement in _statements(schema):
            self.connection.execute(statement if self.dialect == "sqlite" else postgres_ddl(statement))

    def has_schema(self, schema: str, added: Mapping[str, Mapping[str, str]]) -> bool:
        """Whether every table, index and added column of a schema script exists already (PostgreSQL)."""
        columns = {
            (str(table), str(column))
            for table, column in self.connection.execute(
                "SELECT table_name, column_name FROM information_schema.columns "
                "WHERE table_schema = current_schema()"
            ).fetchall()
        }
        indexes = {
            str(row[0])
            for row in self.connection.execute(
                "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()"
            ).fetchall()
        }
        tables = {table for table, _ in columns}
        return (
            set(re.findall(r"CREATE TABLE IF NOT EXISTS (\w+)", schema)) <= tables
            and set(re.findall(r"CREATE INDEX IF NOT EXISTS (\w+)", schema)) <= indexes
            and all((table, name) in columns for table, names in added.items() for name in names)
        )

    def columns(self, table: str) -> set[str]:
        """The column names a table has now."""
        if self.dialect == "sqlite":
            return {row[1] for row in self.connection.execute(f"PRAGMA table_info({table})").fetchall()}
        rows = self.connection.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND table_name = ?",
            (table,),
        ).fetchall()
        return {str(row[0]) for row in rows}

    def add_columns(self, added: Mapping[str, Mapping[str, str]]) -> None:
        """Add the columns (table -> column -> SQLite type) an index written by an older release lacks."""
        for table, columns in added.items():
            present = self.columns(table)
            for name, kind in columns.items():
                if name not in present:
                    statement = f"ALTER TABLE {table} ADD COLUMN {name} {kind}"
                    self.connection.execute(
                        statement if self.dialect == "sqlite" else postgres_ddl(statement)
                    )


def index_kind(index: str | None) -> Dialect:
    """Which database an `index` setting names (None: SQLite in the store directory)."""
    if index is None or index.split(":", 1)[0].lower() == "sqlite":
        return "sqlite"
    if index.split(":", 1)[0].lower() in _POSTGRES_SCHEMES:
        return "postgresql"
    raise StoreError(
        f"unsupported index URL {redact_url(index)} "
        "(use sqlite:////path/index.sqlite3 or postgresql+psycopg://user@host/database)"
    )


def sqlite_path(index: str | None, default: Path) -> Path:
    """The file of a SQLite index: the URL's path (sqlite:///relative, sqlite:////absolute), else default."""
    if index is None:
        return default
    match = re.fullmatch(r"sqlite://(?:localhost)?/(?P<path>[^?#]+)", index, re.IGNORECASE)
    if not match:
        raise StoreError(
            f"index {index}: a SQLite index URL is sqlite:///relative/path or sqlite:////abs/path"
        )
    return Path(match.group("path"))


def open_index(index: str | None, default_sqlite: Path) -> IndexDatabase:
    """Connect to the index an `index` setting names; StoreError naming it (password redacted) if it fails."""
    if index_kind(index) == "sqlite":
        return _open_sqlite(sqlite_path(index, default_sqlite))
    assert index is not None
    return _open_postgres(index)


# How long opening a SQLite index waits for other processes' locks (its busy timeout too).
SQLITE_LOCK_WAIT_SECONDS = 30.0


def _open_sqlite(path: Path) -> IndexDatabase:
    try:
        db = sqlite3.connect(
            path, timeout=SQLITE_LOCK_WAIT_SECONDS, check_same_thread=False, isolation_level=None
        )
        _use_wal(db, time.monotonic() + SQLITE_LOCK_WAIT_SECONDS)
        db.execute("PRAGMA synchronous=NORMAL")
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path}: unusable index ({exc}); run `articlewatch verify --repair`") from exc
    return IndexDatabase(db, "sqlite", str(path), "BEGIN IMMEDIATE", db.close)


def _use_wal(db: sqlite3.Connection, deadline: float) -> None:
    # Switching a new file to WAL takes an exclusive lock, and SQLite answers "database is
    # locked" at once, without its busy handler, to a process that asks while another one is
    # switching or first opening it: several workers starting on a new shared index at the same
    # moment. The mode is stored in the file, so once one of them has switched, the rest only read it.
    while True:
        try:
            if str(db.execute("PRAGMA journal_mode").fetchone()[0]).lower() != "wal":
                db.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() >= deadline:
                raise
            time.sleep(0.02)


def _open_postgres(url: str) -> IndexDatabase:
    # Imported here: a SQLite-only run never loads SQLAlchemy's PostgreSQL dialect or psycopg.
    import sqlalchemy
    from sqlalchemy.pool import NullPool

    try:
        import psycopg
    except ImportError as exc:
        raise StoreError(f"index {redact_url(url)}: the psycopg driver is not installed ({exc})") from exc

    location = f"index {redact_url(url)}"
    scheme, rest = url.split(":", 1)
    if scheme.lower() in ("postgresql", "postgres"):
        url = "postgresql+psycopg:" + rest  # SQLAlchemy's default PostgreSQL driver is psycopg2, not ours
    try:
        parsed = sqlalchemy.make_url(url)
        connect_args = (
            {} if "connect_timeout" in parsed.query else {"connect_timeout": _CONNECT_TIMEOUT_SECONDS}
        )
        # One connection per store, held for its life, as the SQLite index's: no pool.
        engine = sqlalchemy.create_engine(parsed, poolclass=NullPool, connect_args=connect_args)
    except (sqlalchemy.exc.ArgumentError, ImportError, ValueError) as exc:
        raise StoreError(f"{location}: unusable URL ({one_line(exc)})") from exc

    def connect() -> Any:
        try:
            raw = engine.raw_connection()
        except sqlalchemy.exc.DBAPIError as exc:
            raise StoreError(f"{location}: cannot connect ({_driver_message(exc.orig or exc)})") from exc
        except psycopg.Error as exc:  # raw_connection() passes the driver's own errors through
            raise StoreError(f"{location}: cannot connect ({_driver_message(exc)})") from exc
        assert raw.driver_connection is not None
        raw.driver_connection.autocommit = True  # outside a write transaction each statement commits
        return raw

    try:
        connection = PostgresConnection(connect, location)
    except StoreError:
        engine.dispose()
        raise

    def close() -> None:
        connection.close()
        engine.dispose()

    try:
        schema = connection.execute("SELECT current_schema()").fetchone()[0]
    except StoreError:
        close()
        raise
    if schema is None:
        close()
        raise StoreError(f"{location}: no schema to use (the search_path names none that exists)")
    # One lock per index: databases on one server, and schemas in one database, never wait on each other.
    digest = hashlib.sha256(f"articlewatch index {schema}".encode()).digest()
    lock = int.from_bytes(digest[:8], "big", signed=True)
    return IndexDatabase(
        connection, "postgresql", location, f"BEGIN; SELECT pg_advisory_xact_lock({lock})", close
    )


class _NoRows:
    """The result of a statement that had nothing to do."""

    rowcount = 0

    def fetchone(self) -> None:
        return None

    def fetchall(self) -> list[Any]:
        return []


class PostgresConnection:
    """A psycopg connection taking the store's `?` SQL; driver errors become StoreErrors naming the index.

    A connection the server dropped (a restart, a failover, an idle timeout) is made again, and
    the statement that found it dead is sent again, outside a write transaction (reads, and the
    BEGIN that opens one: nothing of theirs happened). Inside one it is not: the server rolled
    the transaction back with the connection, so the write fails with a StoreError and its
    ROLLBACK is a no-op; the next transaction starts on a new connection.
    """

    def __init__(self, connect: Callable[[], Any], location: str) -> None:
        self._connect = connect
        self._raw = connect()
        self._driver = self._raw.driver_connection
        self._location = location
        self._in_write = False  # between a BEGIN and its COMMIT or ROLLBACK

    def execute(self, sql: str, parameters: Any = None, /) -> IndexCursor:
        """Run one statement (or, without parameters, several separated by `;`)."""
        if self._driver.closed:
            if self._in_write:
                if sql == "ROLLBACK":
                    self._in_write = False
                    return _NoRows()
                raise StoreError(f"{self._location}: connection lost during a write (rolled back)")
            self._reconnect()
        try:
            cursor = self._run(sql, parameters)
        except Exception as exc:
            if sql in ("COMMIT", "ROLLBACK"):
                self._in_write = False
            if self._in_write or not self._driver.closed:
                raise self._error(exc) from exc
            self._reconnect()  # it was dead before this statement reached the server
            try:
                cursor = self._run(sql, parameters)
            except Exception as again:
                raise self._error(again) from again
        if sql.startswith("BEGIN"):
            self._in_write = True
        elif sql in ("COMMIT", "ROLLBACK"):
            self._in_write = False
        return cursor  # type: ignore[no-any-return]

    def executemany(self, sql: str, parameters: Iterable[Any], /) -> IndexCursor:
        """Run one statement once per parameter tuple."""
        if self._driver.closed:
            raise StoreError(f"{self._location}: connection lost during a write (rolled back)")
        try:
            cursor = self._driver.cursor()
            cursor.executemany(_driver_sql(sql), parameters)
        except Exception as exc:
            raise self._error(exc) from exc
        return cursor  # type: ignore[no-any-return]

    def close(self) -> None:
        """Close the connection."""
        if self._driver.closed:
            self._raw.invalidate()  # nothing to roll back or return to a pool
        else:
            self._raw.close()

    def _run(self, sql: str, parameters: Any) -> Any:
        if parameters is None:
            return self._driver.execute(sql)
        return self._driver.execute(_driver_sql(sql), parameters)

    def _reconnect(self) -> None:
        with contextlib.suppress(Exception):
            self._raw.invalidate()  # the pool's record of a dead connection
        self._raw = self._connect()
        self._driver = self._raw.driver_connection

    def _error(self, exc: Exception) -> Exception:
        import psycopg

        if isinstance(exc, psycopg.Error):
            return StoreError(f"{self._location}: {_driver_message(exc)}")
        return exc


@functools.lru_cache(maxsize=1024)
def _driver_sql(sql: str) -> str:
    # psycopg's placeholder is %s, and a literal % is written %%. No statement of ours holds a `?`
    # inside a string literal (tests/test_index_sql.py checks), so a plain replace is exact.
    return sql.replace("%", "%%").replace("?", "%s")


def postgres_ddl(statement: str) -> str:
    """A SQLite CREATE/ALTER statement as PostgreSQL writes it."""
    statement = re.sub(
        r"\bINTEGER PRIMARY KEY AUTOINCREMENT\b",
        "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
        statement,
    )
    statement = re.sub(r"\)\s*WITHOUT ROWID\s*$", ")", statement.rstrip())
    statement = re.sub(r"\bREAL\b", "DOUBLE PRECISION", statement)
    statement = re.sub(r"\bINTEGER\b", "BIGINT", statement)
    # Byte order, as SQLite compares text: timestamps and keys sort and compare the same on both.
    return re.sub(r"\bTEXT\b", 'TEXT COLLATE "C"', statement)


def _statements(script: str) -> list[str]:
    return [part.strip() for part in re.split(r";\s*(?:\n|$)", script) if part.strip()]


def _driver_message(exc: BaseException) -> str:
    # psycopg's message: the server's first line, without libpq's hint lines and SQLAlchemy's link.
    text = str(exc).strip().splitlines()
    return one_line(Exception(text[0] if text else type(exc).__name__))

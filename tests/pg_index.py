"""A real PostgreSQL for the shared-index tests: one database per test session, one schema per test.

The server comes from $ARTICLEWATCH_TEST_POSTGRES (a postgresql+psycopg:// URL; `.ci/postgres.sh`
installs and starts one on 127.0.0.1 and prints it). Unset, the PostgreSQL tests skip and say
why, unless $ARTICLEWATCH_REQUIRE_POSTGRES=1 (CI), where they fail instead.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator

import pytest

POSTGRES_ENV = "ARTICLEWATCH_TEST_POSTGRES"
REQUIRE_ENV = "ARTICLEWATCH_REQUIRE_POSTGRES"
BACKENDS = ("sqlite", "postgresql")


def _libpq_url(url: str, database: str | None = None) -> str:
    """The SQLAlchemy URL as psycopg.connect takes it (no +driver), optionally for another database."""
    import sqlalchemy

    parsed = sqlalchemy.make_url(url).set(drivername="postgresql")
    if database is not None:
        parsed = parsed.set(database=database)
    return parsed.render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A fresh database on the test server for this session (dropped at the end), as an index URL."""
    import psycopg
    import sqlalchemy

    url = os.environ.get(POSTGRES_ENV, "").strip()
    if not url:
        reason = (
            f"{POSTGRES_ENV} is not set: no PostgreSQL to test the shared index on "
            '(eval "$(sudo bash .ci/postgres.sh)" starts one on 127.0.0.1 and sets it)'
        )
        if os.environ.get(REQUIRE_ENV) == "1":
            pytest.fail(f"{REQUIRE_ENV}=1 but {reason}")
        pytest.skip(reason)
    try:
        admin = psycopg.connect(_libpq_url(url), autocommit=True, connect_timeout=10)
    except psycopg.Error as exc:
        pytest.fail(f"{POSTGRES_ENV}: cannot connect to the test PostgreSQL ({str(exc).splitlines()[0]})")
    name = f"aw_test_{os.getpid()}_{secrets.token_hex(4)}"
    with admin:
        try:
            admin.execute(f'CREATE DATABASE "{name}"')
        except psycopg.errors.InsufficientPrivilege:
            name = ""  # no CREATEDB: the given database, with a schema per test, isolates as well
        session_url = sqlalchemy.make_url(url).set(database=name) if name else sqlalchemy.make_url(url)
        try:
            yield session_url.render_as_string(hide_password=False)
        finally:
            if name:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture()
def postgres_index(postgres_database: str) -> Iterator[str]:
    """An index URL of an empty schema of its own in the session's database (dropped after the test)."""
    import psycopg

    schema = f"t_{secrets.token_hex(6)}"
    with psycopg.connect(_libpq_url(postgres_database), autocommit=True) as admin:
        admin.execute(f'CREATE SCHEMA "{schema}"')
        try:
            separator = "&" if "?" in postgres_database else "?"
            yield f"{postgres_database}{separator}options=-csearch_path%3D{schema}"
        finally:
            admin.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture(params=BACKENDS)
def index_url(request: pytest.FixtureRequest) -> str | None:
    """Each backend in turn: None (SQLite in the store directory), then a PostgreSQL index URL."""
    if request.param == "sqlite":
        return None
    return str(request.getfixturevalue("postgres_index"))

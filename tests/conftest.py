"""Shared fixtures: a real local newsroom on 127.0.0.1, a temporary store, one Prefect test server."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from pg_index import index_url, postgres_database, postgres_index  # noqa: F401 - shared fixtures

from articlewatch.demo.articles import DemoArticle, seed_articles
from articlewatch.demo.newsroom import Newsroom
from articlewatch.prefect_env import configure_prefect_environment
from articlewatch.store import SnapshotStore

configure_prefect_environment()
# Tests fetch from their own loopback servers: no 1 s pause per host between requests, except
# where politeness itself is tested (those tests set their own delays).
os.environ.setdefault("ARTICLEWATCH_HOST_DELAY", "0")
# The user's Prefect home stays untouched by tests.
os.environ.setdefault(
    "PREFECT_HOME", str(Path(__file__).resolve().parent.parent / ".pytest_cache" / "prefect")
)


@pytest.fixture(scope="session")
def prefect_server() -> Iterator[None]:
    """One real Prefect API server (SQLite, temporary) for the whole session."""
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings
    from prefect.testing.utilities import prefect_test_harness

    # The per-run heartbeat thread costs ~1 s at every flow's end; tests do not need it.
    with (
        prefect_test_harness(server_startup_timeout=90),
        temporary_settings({PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}),
    ):
        yield


@pytest.fixture()
def newsroom() -> Iterator[Newsroom]:
    """A running local newsroom serving nothing yet."""
    with Newsroom() as room:
        yield room


@pytest.fixture()
def seeds() -> dict[str, DemoArticle]:
    """The four seed articles as first published."""
    return seed_articles()


@pytest.fixture()
def store_dir(tmp_path: Path) -> Path:
    """A fresh store directory."""
    return tmp_path / "store"


@pytest.fixture()
def store(store_dir: Path) -> Iterator[SnapshotStore]:
    """An open store in a fresh directory."""
    with SnapshotStore(store_dir) as opened:
        yield opened

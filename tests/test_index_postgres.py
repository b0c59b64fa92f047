"""A store whose index is a shared PostgreSQL: racing workers, the CLI, settings, and clear errors."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from articlewatch.cli import app
from articlewatch.config import load_settings
from articlewatch.errors import ConfigError, StoreError
from articlewatch.store import INDEX_FILE, SnapshotStore
from articlewatch.verify import verify_store

HOST = "news.example.com"
SHARED_LINE = "A line both articles carry, word for word, as a site's furniture would be."
ROUNDS = 20  # writes per worker, alternating between the two articles

# One worker: its own process and connection, writing new versions of the same two articles
# as the other worker, each write as the pipeline's store stage makes it (under the index lock).
WORKER = """
import hashlib, sys
from articlewatch.models import Article, HttpInfo, Snapshot
from articlewatch.store import SnapshotStore
from articlewatch.urls import article_key, host_dir

store_dir, index, worker, rounds = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
urls = ["https://news.example.com/shared-a", "https://news.example.com/shared-b"]
raw = b"<html>raw</html>"
with SnapshotStore(store_dir, index) as store:
    print("ready", flush=True)
    sys.stdin.readline()
    for n in range(rounds):
        url = urls[n % 2]
        paragraphs = (f"Worker {worker} wrote edit number {n} of this story.", sys.argv[5])
        written = store.write_snapshot(
            Snapshot(
                url=url, key=article_key(url), host=host_dir(url), version=0,
                fetched_at=f"2026-11-22T08:{n:02d}:{int(worker):02d}.000000Z",
                article=Article(title="Shared", paragraphs=paragraphs),
                fingerprint=hashlib.sha256(repr(paragraphs).encode()).hexdigest(),
                raw_sha256=hashlib.sha256(raw).hexdigest(), raw_bytes=len(raw),
                http=HttpInfo(200, url, "text/html"), extractor={"name": "x", "version": "1", "options": {}},
            ),
            raw,
        )
        store.record_check(url, written.fetched_at, "changed", written.version)
"""


def test_two_worker_processes_writing_the_same_articles_never_clash(
    store_dir: Path, postgres_index: str
) -> None:
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(store_dir), postgres_index, str(n), str(ROUNDS), SHARED_LINE],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in (1, 2)
    ]
    for worker in workers:  # both connected before either writes: their writes overlap
        assert worker.stdout is not None and worker.stdout.readline().strip() == "ready"
    for worker in workers:
        assert worker.stdin is not None
        worker.stdin.write("go\n")
        worker.stdin.flush()
    for worker in workers:
        _, stderr = worker.communicate(timeout=120)
        assert worker.returncode == 0, stderr[-2000:]
    with SnapshotStore(store_dir, postgres_index) as store:
        for url in ("https://news.example.com/shared-a", "https://news.example.com/shared-b"):
            # 2 workers x ROUNDS/2 writes each: numbered 1..ROUNDS, none lost, none twice.
            assert [row.version for row in store.versions(url)] == list(range(1, ROUNDS + 1))
            assert len(store.checks(url, limit=100)) == ROUNDS
            assert {store.load(store.root / row.path).version for row in store.versions(url)} == set(
                range(1, ROUNDS + 1)
            )
        with store.transaction() as db:
            # Every line counts the articles it is in, exactly: the shared line 2, each edit line 1.
            wrong = db.execute(
                "SELECT h.line, h.pages FROM host_lines h WHERE h.host = ? AND h.pages <> "
                "(SELECT COUNT(*) FROM article_lines a WHERE a.line = h.line)",
                (HOST,),
            ).fetchall()
            pages = sorted(row[0] for row in db.execute("SELECT pages FROM host_lines").fetchall())
        assert wrong == []
        assert pages == [1] * (2 * ROUNDS) + [2]
    assert verify_store(store_dir, postgres_index) == []
    assert not (store_dir / INDEX_FILE).exists(), "a PostgreSQL store wrote a SQLite index too"


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_an_unreachable_index_is_one_line_naming_it_without_the_password(tmp_path: Path) -> None:
    port = _closed_port()
    url = f"postgresql+psycopg://watcher:s3cret-pw@127.0.0.1:{port}/articlewatch"
    started = time.monotonic()
    with pytest.raises(StoreError) as caught:
        SnapshotStore(tmp_path / "store", url)
    message = str(caught.value)
    assert time.monotonic() - started < 5
    assert f"postgresql+psycopg://watcher:REDACTED@127.0.0.1:{port}/articlewatch" in message
    assert "cannot connect" in message and "s3cret-pw" not in message and "\n" not in message

    result = CliRunner().invoke(
        app, ["--store", str(tmp_path / "store"), "list"], env={"ARTICLEWATCH_INDEX": url}
    )
    assert result.exit_code == 1
    assert result.stderr.startswith("error: index postgresql+psycopg://watcher:REDACTED@127.0.0.1:")
    assert "s3cret-pw" not in result.stderr and result.stderr.count("\n") == 1


def test_a_refused_login_names_the_index_and_the_reason(tmp_path: Path, postgres_index: str) -> None:
    import sqlalchemy

    wrong = sqlalchemy.make_url(postgres_index).set(password="not-the-password")
    with pytest.raises(StoreError, match="password authentication failed") as caught:
        SnapshotStore(tmp_path / "store", wrong.render_as_string(hide_password=False))
    assert "not-the-password" not in str(caught.value) and ":REDACTED@" in str(caught.value)


def test_unsupported_index_urls_are_refused_by_name(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match=r"unsupported index URL mysql://u:REDACTED@db/x"):
        SnapshotStore(tmp_path / "store", "mysql://u:pw@db/x")
    with pytest.raises(ConfigError, match=r"index: unsupported index URL"):
        load_settings(tmp_path, env={"ARTICLEWATCH_INDEX": "mongodb://db/x"})


def test_the_index_setting_comes_from_the_config_file_or_the_environment(tmp_path: Path) -> None:
    (tmp_path / "articlewatch.toml").write_text('index = "postgresql+psycopg://aw:pw@db.example.org/aw"\n')
    from_file = load_settings(tmp_path, env={})
    assert from_file.index == "postgresql+psycopg://aw:pw@db.example.org/aw"
    assert "pw@" not in repr(from_file)
    from_env = load_settings(tmp_path, env={"ARTICLEWATCH_INDEX": "sqlite:////tmp/elsewhere.sqlite3"})
    assert from_env.index == "sqlite:////tmp/elsewhere.sqlite3"
    assert load_settings(tmp_path / "none", env={}).index is None


def test_a_sqlite_index_url_puts_the_index_where_it_says(tmp_path: Path) -> None:
    elsewhere = tmp_path / "indexes" / "mine.sqlite3"
    elsewhere.parent.mkdir()
    with SnapshotStore(tmp_path / "store", f"sqlite:///{elsewhere}") as store:
        store.add_watch("https://news.example.com/a", "2026-11-22T08:00:00Z")
    assert elsewhere.is_file() and not (tmp_path / "store" / INDEX_FILE).exists()
    with SnapshotStore(tmp_path / "store", f"sqlite:///{elsewhere}") as store:
        assert [w.url for w in store.watches()] == ["https://news.example.com/a"]


def test_cli_add_check_verify_and_reindex_on_a_postgresql_index(
    store_dir: Path, postgres_index: str, newsroom: object
) -> None:
    from articlewatch.demo.newsroom import Newsroom

    assert isinstance(newsroom, Newsroom)
    url = newsroom.put("/story", "<html><body><article><h1>Story</h1>" + "<p>Words of the story.</p>" * 5)
    env = {"ARTICLEWATCH_INDEX": postgres_index, "ARTICLEWATCH_ROBOTS": "false"}
    runner = CliRunner()

    def cli(*args: str) -> tuple[int, str]:
        result = runner.invoke(app, ["--store", str(store_dir), *args], env=env)
        return result.exit_code, result.stdout + result.stderr

    assert cli("add", url)[0] == 0
    with SnapshotStore(store_dir, postgres_index) as store:
        from articlewatch.fetch import make_client
        from articlewatch.pipeline import check_url

        with make_client(timeout=5) as client:
            assert check_url(url, store, client).outcome == "new"
        with store.transaction() as db:  # the index forgets the version: verify sees it, reindex fixes it
            db.execute("DELETE FROM versions")
    code, output = cli("verify")
    assert code == 1 and "not in the index" in output
    assert cli("reindex") == (0, f"indexed 1 version(s) from {store_dir}\n")
    code, output = cli("verify")
    assert code == 0 and "every snapshot and the index are consistent" in output
    assert not (store_dir / INDEX_FILE).exists()


def test_a_connection_the_server_dropped_is_made_again_and_a_write_it_cut_is_rolled_back(
    store_dir: Path, postgres_index: str
) -> None:
    import psycopg
    import sqlalchemy

    libpq = sqlalchemy.make_url(postgres_index).set(drivername="postgresql", query={})
    with (
        SnapshotStore(store_dir, postgres_index) as store,
        psycopg.connect(libpq.render_as_string(hide_password=False), autocommit=True) as admin,
    ):

        def drop_connection() -> None:  # what a server restart or a failover does to a worker
            [(backend,)] = store.index.connection.execute("SELECT pg_backend_pid()", ()).fetchall()
            admin.execute("SELECT pg_terminate_backend(%s)", (backend,))

        store.add_watch("https://news.example.com/a", "2026-11-22T08:00:00Z")
        drop_connection()
        assert [w.url for w in store.watches()] == ["https://news.example.com/a"]  # on a new connection
        drop_connection()
        store.add_watch("https://news.example.com/b", "2026-11-22T08:01:00Z")  # a write's BEGIN: the same
        with pytest.raises(StoreError, match="connection"), store.transaction() as db:
            db.execute("DELETE FROM watches")
            drop_connection()
            db.execute("DELETE FROM aliases")
        assert len(store.watches()) == 2, "a write the connection's loss cut was kept"

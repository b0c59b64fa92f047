"""A store on shared storage, in one process: fsspec's memory:// filesystem behind the real store.

The same pipeline, reports and verify as a local store; bad store URLs end in one-line errors.
(tests/test_blobs_shared.py runs workers in separate processes on file:// and on S3.)
"""

from __future__ import annotations

import gzip
import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import fsspec
import httpx
import pytest
from article_pages import story_page
from typer.testing import CliRunner

from articlewatch.blobs import LocalBlobs, open_blobs, unfinished
from articlewatch.cli import app
from articlewatch.config import load_settings
from articlewatch.demo.newsroom import Newsroom
from articlewatch.errors import StoreError
from articlewatch.fetch import make_client
from articlewatch.pipeline import check_urls
from articlewatch.report import build_report
from articlewatch.store import SnapshotStore
from articlewatch.verify import repair_store, verify_store


@pytest.fixture()
def memory_root() -> Iterator[str]:
    """A fresh memory:// store root, removed afterwards (the memory filesystem is process-global)."""
    root = f"memory://articlewatch-{uuid.uuid4().hex[:12]}"
    yield root
    fs = fsspec.filesystem("memory")
    if fs.exists(root):
        fs.rm(root, recursive=True)


@pytest.fixture()
def index(tmp_path: Path) -> str:
    """An index the URL store names explicitly (it cannot live on the shared storage)."""
    return f"sqlite:///{tmp_path / 'index.sqlite3'}"


@pytest.fixture()
def client() -> Iterator[httpx.Client]:
    with make_client(timeout=5) as opened:
        yield opened


def stored_files(root: str) -> list[str]:
    """Every file under a memory:// root, relative to it."""
    fs, path = fsspec.core.url_to_fs(root)
    return sorted(name[len(path) + 1 :] for name in fs.find(path))


def test_pipeline_on_a_memory_store(
    newsroom: Newsroom, memory_root: str, index: str, client: httpx.Client
) -> None:
    urls = [newsroom.put(f"/story/{n}", story_page(n)) for n in range(3)]
    with SnapshotStore(memory_root, index) as store:
        first = [result.to_record() for result in check_urls(urls, store, client)]
        assert [record["outcome"] for record in first] == ["new"] * 3
        # The public `snapshot` field of a URL store is the file's URL.
        for record in first:
            assert record["snapshot"].startswith(memory_root + "/127.0.0.1_")
            assert record["snapshot"].endswith(".json")
        files = stored_files(memory_root)
        assert len([name for name in files if name.endswith(".json")]) == 3
        assert len([name for name in files if name.endswith(".html.gz")]) == 3

        edited = newsroom.put("/story/1", story_page(1, "Update: the vote was postponed to March."))
        second = {result.url: result for result in check_urls(urls, store, client)}
        assert second[edited].outcome == "changed" and second[edited].version == 2
        assert {second[url].outcome for url in urls if url != edited} == {"unchanged"}

        latest = store.latest(edited)
        assert latest is not None and latest.version == 2
        assert b"postponed to March" in store.raw_html(latest)
        assert "postponed to March" not in " ".join(store.snapshot(edited, 1).article.paragraphs)
        report = build_report(store, None, "2026-01-01T00:00:00Z")
        assert [article.url for article in report.articles] == [edited]
        with pytest.raises(StoreError, match="not a local directory"):
            _ = store.root
    assert verify_store(memory_root, index) == []


def test_leftovers_and_unindexed_files_on_a_memory_store(
    newsroom: Newsroom, memory_root: str, index: str, tmp_path: Path, client: httpx.Client
) -> None:
    url = newsroom.put("/story/1", story_page(1))
    with SnapshotStore(memory_root, index) as store:
        [result] = check_urls([url], store, client)
        assert result.snapshot is not None
        relative = result.snapshot.removeprefix(memory_root + "/")
    # What an interrupted write leaves: a raw file whose JSON never landed.
    directory = relative.rsplit("/", 1)[0]
    blobs = open_blobs(memory_root)
    orphan = f"{directory}/20990101T000000.000000Z.html.gz"
    blobs.write(orphan, gzip.compress(b"<html>half a version</html>"))
    # A second index that has never seen these files: they are "unindexed" to it, as files a
    # worker wrote before it died are to everyone else.
    other_index = f"sqlite:///{tmp_path / 'other.sqlite3'}"
    SnapshotStore(memory_root, other_index).close()  # created empty
    kinds = {(problem.path, problem.kind) for problem in verify_store(memory_root, other_index)}
    assert kinds == {(relative, "unindexed"), (orphan, "unfinished")}

    with SnapshotStore(memory_root, other_index) as other:
        other.reconcile(url)  # what every write does first, under the index's write lock
        assert [row.path for row in other.versions(url)] == [relative]
    assert not blobs.exists(orphan)
    assert verify_store(memory_root, other_index) == []


def test_verify_repair_quarantines_on_a_memory_store(
    newsroom: Newsroom, memory_root: str, index: str, client: httpx.Client
) -> None:
    urls = [newsroom.put(f"/story/{n}", story_page(n)) for n in range(2)]
    with SnapshotStore(memory_root, index) as store:
        records = [result.to_record() for result in check_urls(urls, store, client)]
    broken = records[0]["snapshot"].removeprefix(memory_root + "/")
    blobs = open_blobs(memory_root)
    blobs.write(broken, b'{"schema_version": 1, "url": ')  # cut short

    [problem] = verify_store(memory_root, index)
    assert (problem.path, problem.kind) == (broken, "unreadable")
    report = repair_store(memory_root, index=index)
    raw = broken.removesuffix(".json") + ".html.gz"
    assert sorted(report.quarantined) == sorted([f"quarantine/{broken}", f"quarantine/{raw}"])
    assert report.indexed == 1
    assert blobs.exists(f"quarantine/{broken}") and not blobs.exists(broken)
    assert verify_store(memory_root, index) == []


@pytest.mark.parametrize(
    ("root", "message"),
    [
        ("nope://bucket/x", r"^nope://bucket/x: not a usable store URL \(Protocol not known: nope\)$"),
        ("gcs://bucket/x", r"^gcs://bucket/x: the gcs:// backend is not installed .*: pip install gcsfs$"),
        ("s3://", r"^s3://: a store URL needs a bucket or directory after the scheme$"),
        ("memory://x", r"^memory://x: a store on shared storage needs its index elsewhere: set `index`"),
    ],
)
def test_bad_store_urls_are_one_line_errors(root: str, message: str) -> None:
    with pytest.raises(StoreError, match=message):
        SnapshotStore(root)


def test_cli_names_the_bad_store_url(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["--store", "gcs://bucket/articles", "list"])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "gcs://bucket/articles" in lines[0] and "pip install gcsfs" in lines[0]


def test_settings_for_a_url_store_read_only_the_config_named_in_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    # What a URL mangled into a local path would find: it must never be read.
    decoy = Path("s3:/bucket/articles/articlewatch.toml")
    decoy.parent.mkdir(parents=True)
    decoy.write_text("timeout = 'not a duration'\n", encoding="utf-8")
    settings = load_settings("s3://bucket/articles", env={})
    assert settings.store == "s3://bucket/articles" and settings.timeout == 20.0

    config = tmp_path / "shared.toml"
    config.write_text('timeout = "5s"\n', encoding="utf-8")
    env = {"ARTICLEWATCH_STORE": "s3://bucket/articles", "ARTICLEWATCH_CONFIG": str(config)}
    settings = load_settings(None, env=env)
    assert settings.store == "s3://bucket/articles" and settings.timeout == 5.0
    assert load_settings("snapshots", env={}).store == Path("snapshots")


def test_local_blobs_write_atomically_and_find_leftovers(tmp_path: Path) -> None:
    blobs = LocalBlobs(tmp_path / "store")
    blobs.write("host/0123456789abcdef/a.json", b"{}")
    blobs.write("host/0123456789abcdef/a.html.gz", b"raw")
    blobs.write("host/0123456789abcdef/b.html.gz", b"raw, JSON never landed")
    (tmp_path / "store/host/0123456789abcdef/.a.json.x1.tmp").write_bytes(b"half")
    names = blobs.files("host/0123456789abcdef")
    assert names == [".a.json.x1.tmp", "a.html.gz", "a.json", "b.html.gz"]
    assert unfinished(names) == [".a.json.x1.tmp", "b.html.gz"]
    assert blobs.article_directories() == ["host/0123456789abcdef"]
    assert blobs.files("host/ffffffffffffffff") == []
    # A write that cannot happen (here: a file where its directory should be; tests run as root,
    # so permissions would not stop it) is a StoreError naming the file, and leaves nothing.
    with pytest.raises(StoreError, match=r"a\.json/x\.json: cannot write"):
        blobs.write("host/0123456789abcdef/a.json/x.json", b"{}")
    assert blobs.files("host/0123456789abcdef") == names
    assert json.loads(blobs.read("host/0123456789abcdef/a.json")) == {}

"""verify finds every kind of damage, one line each; --repair leaves a consistent store; v1 snapshots read."""

from __future__ import annotations

import gzip
import hashlib
import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from articlewatch.cli import app
from articlewatch.diff import diff_articles
from articlewatch.errors import StoreError
from articlewatch.models import Article, HttpInfo, Snapshot
from articlewatch.store import INDEX_FILE, QUARANTINE_DIR, SnapshotStore
from articlewatch.urls import article_key, host_dir
from articlewatch.verify import repair_store, verify_store

FIXTURE_V1 = Path(__file__).parent / "fixtures" / "store-v1"
V1_URL = "https://www.example-news.com/world/2018/07/19/library-stays-open"


def write(store: SnapshotStore, url: str, text: str, at: str) -> Path:
    candidate = Snapshot(
        url=url,
        key=article_key(url),
        host=host_dir(url),
        version=0,
        fetched_at=at,
        article=Article(title="T", paragraphs=(text,)),
        fingerprint="0" * 64,
        raw_sha256=hashlib.sha256(text.encode()).hexdigest(),
        raw_bytes=len(text.encode()),
        http=HttpInfo(200, url, "text/html"),
        extractor={"name": "x", "version": "1", "options": {}},
    )
    return store.root / str(store.write_snapshot(candidate, text.encode()).path)


def cli(store_dir: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["--store", str(store_dir), *args])
    return result.exit_code, result.stdout


@pytest.fixture()
def damaged(store_dir: Path) -> dict[str, Path]:
    """A store with one of every kind of damage, and the files involved."""
    with SnapshotStore(store_dir) as store:
        files = {
            name: write(
                store, f"https://news.example.com/{name}", f"Text of {name}.", f"2026-11-22T08:00:0{i}Z"
            )
            for i, name in enumerate(
                ["good", "badbytes", "offschema", "rawgone", "rawwrong", "unindexed", "lost"]
            )
        }
    files["badbytes"].write_bytes(b'{"schema_version": 1, "url": "\xff\xfe')
    document = json.loads(files["offschema"].read_text(encoding="utf-8"))
    document["article"]["paragraphs"] = []
    files["offschema"].write_text(json.dumps(document), encoding="utf-8")
    files["rawgone"].with_name(files["rawgone"].name.replace(".json", ".html.gz")).unlink()
    files["rawwrong"].with_name(files["rawwrong"].name.replace(".json", ".html.gz")).write_bytes(
        gzip.compress(b"other bytes")
    )
    orphan = files["good"].with_name("20261122T090000.000000Z.html.gz")
    orphan.write_bytes(gzip.compress(b"<html>"))
    temp = files["good"].with_name(".20261122T090000.000000Z.json.abc.tmp")
    temp.write_bytes(b'{"half": ')
    db = sqlite3.connect(store_dir / INDEX_FILE)
    db.execute("DELETE FROM versions WHERE path LIKE ?", (f"%{files['unindexed'].parent.name}%",))
    db.commit()
    db.close()
    files["lost"].unlink()
    files["lost"].with_name(files["lost"].name.replace(".json", ".html.gz")).unlink()
    return {**files, "orphan": orphan, "temp": temp}


def test_a_healthy_store_verifies_clean(store_dir: Path) -> None:
    with SnapshotStore(store_dir) as store:
        write(store, "https://news.example.com/a", "One.", "2026-11-22T08:00:00Z")
        write(store, "https://news.example.com/a", "Two.", "2026-11-22T09:00:00Z")
    assert verify_store(store_dir) == []
    assert cli(store_dir, "verify") == (0, f"{store_dir}: every snapshot and the index are consistent\n")


def test_every_kind_of_damage_is_one_line(damaged: dict[str, Path], store_dir: Path) -> None:
    def rel(path: Path) -> str:
        return str(path.relative_to(store_dir))

    lines = [problem.line() for problem in verify_store(store_dir)]
    expected = {
        rel(damaged["badbytes"]): "not UTF-8 text",
        rel(damaged["offschema"]): "does not match snapshot schema at article/paragraphs",
        rel(damaged["rawgone"]).replace(".json", ".html.gz"): "raw HTML file missing",
        rel(damaged["rawwrong"]).replace(".json", ".html.gz"): "does not match the SHA-256",
        rel(damaged["unindexed"]): "not in the index",
        rel(damaged["lost"]): "listed in the index, but the file is missing",
        rel(damaged["orphan"]): "raw HTML without its snapshot",
        rel(damaged["temp"]): "temporary file left by an interrupted write",
    }
    assert len(lines) == len(expected), lines
    for path, cause in expected.items():
        assert any(line.startswith(f"{path}: ") and cause in line for line in lines), (path, lines)
    code, output = cli(store_dir, "verify")
    assert code == 1 and output.splitlines()[:-1] == lines and "8 problem(s)" in output


def test_repair_quarantines_bad_versions_and_rebuilds(damaged: dict[str, Path], store_dir: Path) -> None:
    code, output = cli(store_dir, "verify", "--repair")
    assert code == 0, output
    assert output.rstrip().endswith("every snapshot and the index are consistent")
    assert verify_store(store_dir) == []
    quarantine = store_dir / QUARANTINE_DIR
    for name in ("badbytes", "offschema", "rawgone", "rawwrong"):
        assert (quarantine / damaged[name].relative_to(store_dir)).is_file(), name
    assert not damaged["orphan"].exists() and not damaged["temp"].exists()
    with SnapshotStore(store_dir) as store:
        assert [row.version for row in store.versions("https://news.example.com/good")] == [1]
        assert [row.version for row in store.versions("https://news.example.com/unindexed")] == [1]
        assert store.versions("https://news.example.com/lost") == []


def test_an_unusable_index_is_quarantined_and_rebuilt(store_dir: Path) -> None:
    with SnapshotStore(store_dir) as store:
        write(store, "https://news.example.com/a", "One.", "2026-11-22T08:00:00Z")
    for leftover in store_dir.glob(f"{INDEX_FILE}*"):
        leftover.unlink()
    (store_dir / INDEX_FILE).write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError, match="verify --repair"):
        SnapshotStore(store_dir)
    [problem] = verify_store(store_dir)
    assert problem.line().startswith(f"{INDEX_FILE}: unusable index")
    report = repair_store(store_dir)
    assert report.indexed == 1 and any(INDEX_FILE in moved for moved in report.quarantined)
    assert verify_store(store_dir) == []
    with SnapshotStore(store_dir) as store:
        assert [w.url for w in store.watches()] == ["https://news.example.com/a"]


def test_a_duplicate_version_number_is_found_and_set_aside(store_dir: Path) -> None:
    with SnapshotStore(store_dir) as store:
        first = write(store, "https://news.example.com/a", "One.", "2026-11-22T08:00:00Z")
    copy = first.with_name("20261122T100000.000000Z.json")
    shutil.copy(first, copy)
    shutil.copy(
        first.with_name(first.name.replace(".json", ".html.gz")),
        copy.with_name(copy.name.replace(".json", ".html.gz")),
    )
    document = json.loads(copy.read_text(encoding="utf-8"))
    document["raw"]["file"] = "20261122T100000.000000Z.html.gz"
    copy.write_text(json.dumps(document), encoding="utf-8")
    kinds = {problem.kind for problem in verify_store(store_dir)}
    assert kinds == {"duplicate", "unindexed"}
    repair_store(store_dir)
    assert verify_store(store_dir) == []


def test_a_schema_v1_snapshot_still_reads(tmp_path: Path) -> None:
    store_dir = tmp_path / "old-store"
    shutil.copytree(FIXTURE_V1, store_dir)
    with SnapshotStore(store_dir) as store:
        assert store.rebuild_index() == 1
        old = store.latest(V1_URL)
        assert old is not None and old.version == 1 and old.article.title == "Library stays open"
        assert old.http.etag == '"abc"' and store.raw_html(old).startswith(b"<html")
        newer = Article(title="Library stays open", paragraphs=(*old.article.paragraphs, "It opens at 9."))
        assert [item.kind for item in diff_articles(old.article, newer)][-1] == "paragraph_added"
    assert verify_store(store_dir) == []


def test_a_snapshot_from_a_newer_articlewatch_is_refused_by_name(tmp_path: Path) -> None:
    store_dir = tmp_path / "store"
    shutil.copytree(FIXTURE_V1, store_dir)
    [path] = store_dir.glob("*/*/*.json")
    document = json.loads(path.read_text(encoding="utf-8"))
    document["schema_version"] = 99
    path.write_text(json.dumps(document), encoding="utf-8")
    with SnapshotStore(store_dir) as store, pytest.raises(StoreError, match="newer articlewatch"):
        store.load(path)

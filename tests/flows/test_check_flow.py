"""The check_articles flow end to end: seed pages on a local server, a real Prefect run, real files."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from articlewatch.demo.articles import DemoArticle, later_versions
from articlewatch.demo.newsroom import Newsroom
from articlewatch.schemas import validate

RECORD_KEYS = {"url", "outcome", "version", "significant", "changes", "snapshot", "error"}


def run_flow(urls: list[str] | None, store_dir: Path, check_all: bool = False) -> list[dict[str, Any]]:
    """Run the real flow against the session's Prefect test server."""
    from flows.check import check_articles

    return check_articles(urls=urls, store=str(store_dir), check_all=check_all)


def snapshot_files(store_dir: Path) -> list[Path]:
    """Every snapshot JSON under a store."""
    return sorted(store_dir.glob("*/*/*.json"))


def assert_all_snapshots_valid(store_dir: Path) -> None:
    """Every snapshot written validates against the schema; its raw HTML sits beside it."""
    for path in snapshot_files(store_dir):
        document = json.loads(path.read_text(encoding="utf-8"))
        validate("snapshot", document, str(path))
        assert (path.parent / document["raw"]["file"]).is_file()
    assert not list(store_dir.rglob("*.tmp")), "a temporary file was left behind"


def check_edit(
    newsroom: Newsroom, store_dir: Path, first: DemoArticle, second: DemoArticle
) -> dict[str, Any]:
    """Publish `first`, check, publish `second`, check; return the second record."""
    url = newsroom.publish({first.slug: first})[first.slug]
    [record] = run_flow([url], store_dir)
    assert record["outcome"] == "new", record
    newsroom.publish({second.slug: second})
    [record] = run_flow([url], store_dir)
    assert set(record) == RECORD_KEYS
    assert_all_snapshots_valid(store_dir)
    return record


def _edit_paragraph(article: DemoArticle) -> DemoArticle:
    paragraphs = list(article.paragraphs)
    paragraphs[2] = paragraphs[2].replace("Russian president", "Russian leader")
    assert paragraphs[2] != article.paragraphs[2]
    return replace(article, paragraphs=tuple(paragraphs))


def _move_paragraph(article: DemoArticle) -> DemoArticle:
    paragraphs = list(article.paragraphs)
    paragraphs.append(paragraphs.pop(1))
    return replace(article, paragraphs=tuple(paragraphs))


EDITS = {
    "title": (
        lambda a: replace(a, title="Trump says no to Putin's offer on questioning Americans"),
        ["title"],
    ),
    "author": (lambda a: replace(a, author="Jane Doe, Press Association"), ["author"]),
    "published": (lambda a: replace(a, published="2018-07-19T20:15:00+01:00"), ["published"]),
    "updated": (lambda a: replace(a, updated="2018-07-21T10:30:00+01:00"), ["updated"]),
    "paragraph_added": (
        lambda a: replace(a, paragraphs=a.paragraphs + ("The Kremlin declined to comment on Friday.",)),
        ["paragraph_added"],
    ),
    "paragraph_removed": (
        lambda a: replace(a, paragraphs=a.paragraphs[:4] + a.paragraphs[5:]),
        ["paragraph_removed"],
    ),
    "paragraph_edited": (_edit_paragraph, ["paragraph_edited"]),
    "paragraph_moved": (_move_paragraph, ["paragraph_moved"]),
    "metadata": (
        lambda a: replace(a, description="The White House rejects the Russian proposal."),
        ["metadata"],
    ),
}


@pytest.mark.parametrize("kind", list(EDITS))
def test_each_change_kind_is_reported(
    kind: str, prefect_server: None, newsroom: Newsroom, seeds: dict[str, DemoArticle], store_dir: Path
) -> None:
    edit, expected = EDITS[kind]
    first = seeds["ukpaper"]
    record = check_edit(newsroom, store_dir, first, edit(first))
    assert record["outcome"] == "changed", record
    assert sorted({c["kind"] for c in record["changes"]}) == expected
    assert record["significant"] is (kind != "metadata")
    assert record["version"] == 2
    assert Path(record["snapshot"]).is_file()
    for change in record["changes"]:
        assert set(change) == {"kind", "before", "after"}


def test_edited_paragraph_carries_before_and_after(
    prefect_server: None, newsroom: Newsroom, seeds: dict[str, DemoArticle], store_dir: Path
) -> None:
    first = seeds["ukpaper"]
    record = check_edit(newsroom, store_dir, first, _edit_paragraph(first))
    [change] = record["changes"]
    assert "Russian president" in change["before"] and "Russian leader" in change["after"]


def test_furniture_only_changes_stay_unchanged(
    prefect_server: None, newsroom: Newsroom, seeds: dict[str, DemoArticle], store_dir: Path
) -> None:
    first = seeds["rt"]
    record = check_edit(newsroom, store_dir, first, later_versions({"rt": first})["rt"])
    assert record["outcome"] == "unchanged"
    assert record["version"] == 1 and record["snapshot"] is None and not record["changes"]
    assert len(snapshot_files(store_dir)) == 1, "an unchanged check wrote a version"


def test_yeni_safak_stamp_only_update_is_a_significant_change(
    prefect_server: None, newsroom: Newsroom, seeds: dict[str, DemoArticle], store_dir: Path
) -> None:
    first = seeds["yenisafak"]
    record = check_edit(newsroom, store_dir, first, later_versions({"yenisafak": first})["yenisafak"])
    assert record["outcome"] == "changed" and record["significant"] is True
    assert record["changes"] == [{"kind": "updated", "before": None, "after": "2018-08-07T17:48"}]


def test_demo_editions_give_the_expected_outcomes(
    prefect_server: None, newsroom: Newsroom, seeds: dict[str, DemoArticle], store_dir: Path
) -> None:
    urls = newsroom.publish(seeds)
    first = run_flow(list(urls.values()), store_dir)
    assert [r["outcome"] for r in first] == ["new"] * 4
    assert all(r["version"] == 1 and not r["significant"] for r in first)
    newsroom.publish(later_versions(seeds))
    second = {slug: r for slug, r in zip(urls, run_flow(list(urls.values()), store_dir), strict=True)}
    assert second["rt"]["outcome"] == "unchanged"
    assert {c["kind"] for c in second["yenisafak"]["changes"]} == {"updated"}
    cnbc_kinds = {c["kind"] for c in second["cnbc"]["changes"]}
    assert "paragraph_added" in cnbc_kinds and cnbc_kinds <= {"paragraph_added", "updated"}
    [added] = [c for c in second["cnbc"]["changes"] if c["kind"] == "paragraph_added"]
    assert "98-0" in added["after"]
    assert [c["kind"] for c in second["ukpaper"]["changes"]] == ["title"]
    assert_all_snapshots_valid(store_dir)
    # A third check with nothing new writes nothing.
    before = snapshot_files(store_dir)
    third = run_flow(list(urls.values()), store_dir)
    assert [r["outcome"] for r in third] == ["unchanged"] * 4
    assert snapshot_files(store_dir) == before


def test_bad_urls_give_error_records_and_the_rest_is_checked(
    prefect_server: None, newsroom: Newsroom, seeds: dict[str, DemoArticle], store_dir: Path
) -> None:
    good = newsroom.publish({"cnbc": seeds["cnbc"]})["cnbc"]
    missing = newsroom.url("/no/such/article")
    pdf = newsroom.put("/report.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", content_type="application/pdf")
    not_http = "ftp://example.com/article"
    records = run_flow([missing, good, pdf, not_http], store_dir)
    by_url = {r["url"]: r for r in records}
    assert [r["url"] for r in records] == [missing, good, pdf, not_http]
    assert by_url[good]["outcome"] == "new"
    for url, cause in ((missing, "404"), (pdf, "not an HTML page"), (not_http, "not an http(s) URL")):
        record = by_url[url]
        assert record["outcome"] == "error" and record["version"] is None and record["snapshot"] is None
        assert url in record["error"] and cause in record["error"] and "\n" not in record["error"]
    assert len(snapshot_files(store_dir)) == 1


def test_page_gone_after_versions_is_gone_not_error(
    prefect_server: None, newsroom: Newsroom, seeds: dict[str, DemoArticle], store_dir: Path
) -> None:
    article = seeds["cnbc"]
    url = newsroom.publish({"cnbc": article})["cnbc"]
    run_flow([url], store_dir)
    newsroom.remove(article.path)
    [record] = run_flow([url], store_dir)
    assert record["outcome"] == "gone" and record["version"] == 1 and record["significant"] is True
    [again] = run_flow([url], store_dir)
    assert again["outcome"] == "gone" and again["significant"] is False

"""`articlewatch report`: changes of a period from real checks of the local newsroom, as HTML and Markdown."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest
from typer.testing import CliRunner

from articlewatch.cli import app
from articlewatch.demo.articles import DemoArticle, later_versions
from articlewatch.demo.newsroom import Newsroom
from articlewatch.errors import ConfigError
from articlewatch.fetch import make_client, utc_now
from articlewatch.pipeline import check_url
from articlewatch.render.html import render_report_html
from articlewatch.render.markdown import render_report_markdown
from articlewatch.report import build_report, parse_since
from articlewatch.store import SnapshotStore

HOSTILE_TITLE = "Breaking <script>alert('owned')</script> news"
HOSTILE_PARAGRAPH = 'An update <img src=x onerror="alert(1)"> was added to this story on Friday evening.'


class Page(HTMLParser):
    """Every start tag of a page with its attributes, and its text."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def named(self, tag: str) -> list[dict[str, str | None]]:
        return [attrs for name, attrs in self.tags if name == tag]


@pytest.fixture()
def changed_store(
    newsroom: Newsroom, seeds: dict[str, DemoArticle], store: SnapshotStore
) -> Iterator[tuple[SnapshotStore, dict[str, str]]]:
    """A store of checked newsroom edits: CNBC in three versions, a hostile headline edit, RT noise."""
    first = dict(seeds)
    urls = newsroom.publish(first)
    with make_client(5.0) as client:
        for url in urls.values():
            check_url(url, store, client)
        second = later_versions(first)
        second["ukpaper"] = replace(first["ukpaper"], title=HOSTILE_TITLE)
        newsroom.publish(second)
        for url in urls.values():
            check_url(url, store, client)
        cnbc = second["cnbc"]
        newsroom.publish({"cnbc": replace(cnbc, paragraphs=(*cnbc.paragraphs, HOSTILE_PARAGRAPH))})
        check_url(urls["cnbc"], store, client)
    yield store, urls


def test_html_report_parses_is_self_contained_and_escapes_page_text(
    changed_store: tuple[SnapshotStore, dict[str, str]],
) -> None:
    store, urls = changed_store
    report = build_report(store, None, utc_now())
    assert [a.url for a in report.articles][0] == urls["cnbc"], "most recently changed first"
    assert {a.url for a in report.articles} == {urls["cnbc"], urls["ukpaper"], urls["yenisafak"]}
    html = render_report_html(report)
    page = Page(html)

    assert not page.named("script") and not page.named("img") and not page.named("link")
    assert not [attrs for _, attrs in page.tags if any(name.startswith("on") for name in attrs)]
    for attrs in page.named("a"):
        assert (attrs["href"] or "").startswith(("#", "http://127.0.0.1"))
    text = "".join(page.text)
    assert HOSTILE_TITLE in text and HOSTILE_PARAGRAPH in text, "hostile text must show, as text"
    assert "&lt;script&gt;alert(&#39;owned&#39;)&lt;/script&gt;" in html

    index_rows = page.named("tr")
    assert len(page.named("svg")) == 3 and len(index_rows) >= 4
    cnbc = report.articles[0]
    assert [p.version for p in cnbc.timeline] == [1, 2, 3] and len(cnbc.changes) == 2
    assert html.count("<circle") == 3 + 2 + 2
    assert "98-0" in text and "paragraph added" in text and "update stamp" in text
    assert cnbc.size.added > 30 and cnbc.size.removed == 0


def test_since_leaves_out_older_changes_but_keeps_the_whole_timeline(
    changed_store: tuple[SnapshotStore, dict[str, str]],
) -> None:
    store, urls = changed_store
    last = store.versions(urls["cnbc"])[-1].fetched_at
    report = build_report(store, last, utc_now())
    [cnbc] = report.articles
    assert [c.to_version for c in cnbc.changes] == [3] and len(cnbc.timeline) == 3
    assert [p.in_period for p in cnbc.timeline] == [False, False, True]
    assert build_report(store, "2999-01-01T00:00:00.000000Z", utc_now()).articles == ()
    empty = Page(render_report_html(build_report(store, "2999-01-01T00:00:00.000000Z", utc_now())))
    assert "No article changed" in "".join(empty.text)


def test_markdown_report_has_the_index_timelines_and_diffs_escaped(
    changed_store: tuple[SnapshotStore, dict[str, str]],
) -> None:
    store, urls = changed_store
    markdown = render_report_markdown(build_report(store, None, utc_now()))
    assert "| site | headline | last change | kinds | size |" in markdown
    assert "\\<script\\>alert" in markdown and "<script>" not in markdown
    assert "- v3 · " in markdown and "### Version 2 → 3" in markdown
    assert f"<{urls['cnbc']}>" in markdown


def test_an_unreadable_snapshot_costs_its_article_not_the_report(
    changed_store: tuple[SnapshotStore, dict[str, str]],
) -> None:
    store, urls = changed_store
    broken = store.root / store.versions(urls["ukpaper"])[-1].path
    broken.write_bytes(b"\xff\xfe not json")
    report = build_report(store, None, utc_now())
    assert urls["ukpaper"] not in {a.url for a in report.articles} and len(report.articles) == 2
    [problem] = report.problems
    assert str(broken) in problem and "\n" not in problem
    assert problem in "".join(Page(render_report_html(report)).text)


def test_parse_since() -> None:
    now = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
    assert parse_since("all", now) is None
    assert parse_since("24h", now) == "2026-11-21T12:00:00.000000Z"
    assert parse_since("7d", now) == "2026-11-15T12:00:00.000000Z"
    assert parse_since("2018-08-01", now) == "2018-08-01T00:00:00.000000Z"
    assert parse_since("2018-08-07T17:48+03:00", now) == "2018-08-07T14:48:00.000000Z"
    with pytest.raises(ConfigError, match="--since"):
        parse_since("last tuesday", now)


def test_report_command(changed_store: tuple[SnapshotStore, dict[str, str]], tmp_path: Path) -> None:
    store, _ = changed_store
    runner = CliRunner()
    target = tmp_path / "out" / "changes.html"
    result = runner.invoke(app, ["--store", str(store.root), "report", "--since", "all", "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert "3 changed article(s), 4 change(s)" in result.stdout
    Page(target.read_text(encoding="utf-8"))
    result = runner.invoke(app, ["--store", str(store.root), "report", "--format", "markdown"])
    assert result.exit_code == 0 and result.stdout.startswith("# articlewatch: what changed")
    assert runner.invoke(app, ["--store", str(store.root), "report", "--since", "someday"]).exit_code == 2
    assert runner.invoke(app, ["--store", str(store.root), "report", "--format", "pdf"]).exit_code == 2

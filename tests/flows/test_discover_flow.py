"""Discovery end to end: follow local sources, discover through the real flow, one history per article."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from articlewatch.cli import app
from articlewatch.demo.articles import DemoArticle
from articlewatch.demo.newsroom import Newsroom
from articlewatch.store import SnapshotStore

runner = CliRunner()


def cli(store_dir: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["--store", str(store_dir), *args])
    return result.exit_code, result.stdout


def rss(newsroom: Newsroom, *paths: str) -> bytes:
    items = "".join(f"<item><title>t</title><link>{newsroom.url(p)}</link></item>" for p in paths)
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>N</title>{items}</channel></rss>'.encode()
    )


def atom(newsroom: Newsroom, *paths: str) -> bytes:
    entries = "".join(
        f'<entry><id>{p}</id><title>t</title><link href="{newsroom.url(p)}"/></entry>' for p in paths
    )
    return f'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom">{entries}</feed>'.encode()


def discover(store_dir: Path) -> list[dict[str, object]]:
    code, output = cli(store_dir, "discover", "--all", "--json")
    assert code == 0, output
    return [json.loads(line) for line in output.splitlines()]


@pytest.mark.parametrize(
    ("build", "content_type"), [(rss, "application/rss+xml"), (atom, "application/atom+xml")]
)
def test_feed_items_are_watched_exactly_once(
    prefect_server: None, newsroom: Newsroom, store_dir: Path, build, content_type: str
) -> None:
    feed = newsroom.put(
        "/feed",
        build(newsroom, "/world/a-story-one-here", "/world/b-story-two-here"),
        content_type=content_type,
    )
    code, output = cli(store_dir, "follow", feed, "--every", "30m")
    assert code == 0 and "(feed)" in output
    [first] = discover(store_dir)
    assert first["kind"] == "feed" and len(first["new"]) == 2
    newsroom.put(
        "/feed",
        build(
            newsroom,
            "/world/c-story-three-here",
            "/world/a-story-one-here?utm_source=rss",
            "/world/b-story-two-here",
        ),
        content_type=content_type,
    )
    [second] = discover(store_dir)
    assert second["new"] == [newsroom.url("/world/c-story-three-here")]
    assert [r["new"] for r in discover(store_dir)] == [[]]
    watched = [json.loads(line) for line in cli(store_dir, "list", "--json")[1].splitlines()]
    assert len(watched) == 3 and {w["source"] for w in watched} == {feed}
    assert all(w["first_seen"] for w in watched)
    with SnapshotStore(store_dir) as store:
        seen = store.discovery(newsroom.url("/world/c-story-three-here"))
        assert seen is not None and seen[1] == feed
        assert store.sources()[0].found == 3


def test_sitemap_index_with_a_news_sitemap(prefect_server: None, newsroom: Newsroom, store_dir: Path) -> None:
    news = newsroom.put(
        "/sitemap-news.xml",
        f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        f'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"><url><loc>{newsroom.url("/x/story-1001")}'
        f"</loc><news:news><news:title>S</news:title></news:news></url></urlset>",
        content_type="application/xml",
    )
    index = newsroom.put(
        "/sitemap.xml",
        f'<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<sitemap><loc>{news}</loc></sitemap></sitemapindex>",
        content_type="text/xml",
    )
    code, output = cli(store_dir, "follow", index)
    assert code == 0 and "(sitemap)" in output
    assert discover(store_dir)[0]["new"] == [newsroom.url("/x/story-1001")]


def test_section_page_with_match_and_homepage_with_feed(
    prefect_server: None, newsroom: Newsroom, store_dir: Path
) -> None:
    section = newsroom.put(
        "/world/",
        '<html><body><a href="/world/">World</a><a href="/world/433402-trump-putin">A</a>'
        '<a href="/video/433403-clip">V</a></body></html>',
    )
    assert cli(store_dir, "follow", section, "--match", r"/world/\d+-")[0] == 0
    newsroom.put("/rss", rss(newsroom, "/world/from-the-feed-story-here"), content_type="application/rss+xml")
    home = newsroom.put(
        "/", '<html><head><link rel="alternate" type="application/rss+xml" href="/rss"></head></html>'
    )
    code, output = cli(store_dir, "follow", home)
    assert code == 0 and "via its feed" in output
    new = {r["source"]: r["new"] for r in discover(store_dir)}
    assert new == {
        section: [newsroom.url("/world/433402-trump-putin")],
        home: [newsroom.url("/world/from-the-feed-story-here")],
    }
    code, output = cli(store_dir, "sources", "--json")
    assert [json.loads(line)["kind"] for line in output.splitlines()] == ["section", "feed"]
    assert cli(store_dir, "unfollow", section)[0] == 0 and cli(store_dir, "unfollow", section)[0] == 1


def test_bad_match_and_unreachable_source_are_one_line_errors(store_dir: Path) -> None:
    assert (
        runner.invoke(
            app, ["--store", str(store_dir), "follow", "http://127.0.0.1:9/feed", "--every", "soon"]
        ).exit_code
        == 2
    )
    result = runner.invoke(app, ["--store", str(store_dir), "follow", "http://127.0.0.1:9/feed"])
    assert result.exit_code == 1 and "http://127.0.0.1:9/feed" in result.stderr


def test_slug_change_continues_the_same_history_as_a_url_change(
    prefect_server: None, newsroom: Newsroom, seeds: dict[str, DemoArticle], store_dir: Path
) -> None:
    old = replace(seeds["cnbc"], path="/cnbc/2018/07/19/433402-trump-rejects-offer.html")
    old_url = newsroom.publish({"cnbc": old})["cnbc"]
    assert json.loads(cli(store_dir, "check", "--json", old_url)[1])["outcome"] == "new"
    new = replace(old, path="/cnbc/2018/07/19/433402-trump-rejects-putins-incredible-offer.html")
    new_url = newsroom.publish({"cnbc": new})["cnbc"]
    newsroom.put(old.path, b"", status=301, headers={"Location": new_url})
    record = json.loads(cli(store_dir, "check", "--json", old_url)[1])
    assert record["outcome"] == "changed" and record["version"] == 2
    assert {"kind": "url", "before": old_url, "after": new_url} in record["changes"]
    # The new URL, found later in a feed, is the same article: no second history.
    newsroom.put("/feed", rss(newsroom, new.path), content_type="application/rss+xml")
    cli(store_dir, "follow", newsroom.url("/feed"))
    assert discover(store_dir)[0]["new"] == []
    code, output = cli(store_dir, "history", "--json", new_url)
    assert code == 0 and [json.loads(line)["version"] for line in output.splitlines()] == [1, 2]


def test_amp_url_joins_the_same_history(
    prefect_server: None, newsroom: Newsroom, seeds: dict[str, DemoArticle], store_dir: Path
) -> None:
    article = seeds["ukpaper"]
    url = newsroom.publish({"ukpaper": article})["ukpaper"]
    from articlewatch.demo.pages import render_page

    amp_url = newsroom.put(article.path.rstrip("/") + "/amp/", render_page(article, newsroom.base_url))
    assert json.loads(cli(store_dir, "check", "--json", url)[1])["outcome"] == "new"
    record = json.loads(cli(store_dir, "check", "--json", amp_url)[1])
    assert record["outcome"] == "unchanged" and record["version"] == 1
    assert len(cli(store_dir, "list", "--json")[1].splitlines()) == 1


def test_gone_then_restored(
    prefect_server: None, newsroom: Newsroom, seeds: dict[str, DemoArticle], store_dir: Path
) -> None:
    article = seeds["ukpaper"]
    url = newsroom.publish({"ukpaper": article})["ukpaper"]
    cli(store_dir, "check", url)
    newsroom.remove(article.path)
    gone = json.loads(cli(store_dir, "check", "--json", url)[1])
    assert gone["outcome"] == "gone" and gone["significant"] is True and gone["error"] is None
    newsroom.put(article.path, b"", status=503)
    assert json.loads(cli(store_dir, "check", "--json", url)[1])["outcome"] == "error"  # never gone twice
    newsroom.publish({"ukpaper": replace(article, title="Trump rejects Putin offer (corrected)")})
    code, output = cli(store_dir, "check", "--json", url)
    restored = json.loads(output)
    assert code == 0 and restored["outcome"] == "restored" and restored["significant"] is True
    assert restored["version"] == 2 and [c["kind"] for c in restored["changes"]] == ["title"]
    assert json.loads(cli(store_dir, "check", "--json", url)[1])["outcome"] == "unchanged"

"""Discovery parsing: feeds, sitemaps, homepages and section pages, offline on fixed inputs."""

from __future__ import annotations

import pytest

from articlewatch.discovery import feed_entries, feed_links, section_links, sitemap_locations
from articlewatch.errors import FetchError
from articlewatch.urls import article_key, identity_url

BASE = "http://127.0.0.1:8765"


def rss(*paths: str) -> bytes:
    items = "".join(f"<item><title>{p}</title><link>{BASE}{p}</link></item>" for p in paths)
    channel = f"<channel><title>News</title>{items}</channel>"
    return f'<?xml version="1.0"?><rss version="2.0">{channel}</rss>'.encode()


def atom(*paths: str) -> bytes:
    entries = "".join(
        f'<entry><title>{p}</title><id>{p}</id><link rel="alternate" href="{p}"/></entry>' for p in paths
    )
    return f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">{entries}</feed>'.encode()


def test_rss_and_atom_links_resolve_against_the_feed() -> None:
    assert feed_entries(rss("/world/a-1", "/world/b-2"), BASE + "/rss") == [
        BASE + "/world/a-1",
        BASE + "/world/b-2",
    ]
    assert feed_entries(atom("/world/c-3"), BASE + "/atom.xml") == [BASE + "/world/c-3"]


def test_broken_feed_is_a_clear_error() -> None:
    with pytest.raises(FetchError, match="not a readable feed"):
        feed_entries(b"\x00\x01 not xml at all", BASE + "/rss")


def test_sitemap_index_lists_children_and_news_sitemap_lists_pages() -> None:
    index = (
        b'<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        b"<sitemap><loc>" + BASE.encode() + b"/sitemap-news.xml</loc></sitemap></sitemapindex>"
    )
    assert sitemap_locations(index, BASE + "/sitemap.xml") == ([], [BASE + "/sitemap-news.xml"])
    news = (
        b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        b'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"><url><loc>'
        + BASE.encode()
        + b"/x/story-1"
        b"</loc><news:news><news:publication_date>2018-07-19</news:publication_date></news:news></url></urlset>"
    )
    assert sitemap_locations(news, BASE + "/sitemap-news.xml") == ([BASE + "/x/story-1"], [])


def test_homepage_feed_links() -> None:
    html = '<html><head><link rel="alternate" type="application/rss+xml" href="/feed.xml"></head></html>'
    assert feed_links(html, BASE + "/") == [BASE + "/feed.xml"]


def test_section_page_takes_article_shaped_links_or_the_match() -> None:
    html = """<html><body><nav><a href="/world/">World</a><a href="/category/politics/">Politics</a>
      <a href="/login">Sign in</a></nav>
      <a href="/world/2018/07/19/trump-rejects-putin-offer">Story</a>
      <a href="/world/433402-trump-putin">Story 2</a>
      <a href="https://elsewhere.example/world/some-long-story-slug-here">Off-site</a>
      <a href="/world/2018/07/19/trump-rejects-putin-offer#comments">Dup</a></body></html>"""
    assert section_links(html, BASE + "/world/", None) == [
        BASE + "/world/2018/07/19/trump-rejects-putin-offer",
        BASE + "/world/433402-trump-putin",
    ]
    import re

    assert section_links(html, BASE + "/world/", re.compile(r"/world/\d+-")) == [
        BASE + "/world/433402-trump-putin"
    ]


@pytest.mark.parametrize(
    "variant",
    [
        "https://news.example.com/world/story-123/amp/",
        "https://news.example.com/world/story-123/amp",
        "https://amp.news.example.com/world/story-123",
        "https://news.example.com/amp/world/story-123",
        "https://news.example.com/world/story-123?utm_source=twitter&utm_medium=social",
        "https://news.example.com/world/story-123/?amp=1#comments",
        "https://NEWS.example.com/world/story-123",
    ],
)
def test_url_variants_share_one_identity(variant: str) -> None:
    assert identity_url(variant) == "https://news.example.com/world/story-123"
    assert article_key(variant) == article_key("https://news.example.com/world/story-123")


def test_meaningful_query_parameters_are_kept() -> None:
    assert article_key("https://x.example/article?id=1") != article_key("https://x.example/article?id=2")

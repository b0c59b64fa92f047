"""The benchmark's page server: copies that name themselves, editions, ETags and 304s."""

from __future__ import annotations

import httpx

from articlewatch.extract import extract_article
from bench.pageserver import PageServer, ServedPage, copy_of

PAGE = (
    b'<html><head><title>Council vote</title><link rel="canonical" href="https://news.example/vote">'
    b'<script type="application/ld+json">{"@id": "https:\\/\\/news.example\\/vote"}</script></head>'
    b"<body><article><h1>Council vote</h1>"
    + b"<p>The council met on Monday and voted to keep the library open for another year.</p>" * 3
    + b"</article></body></html>"
)


def test_each_copy_names_itself() -> None:
    first, second = copy_of(PAGE, 1), copy_of(PAGE, 2)
    assert b"https://c1.news.example/vote" in first
    assert b"https:\\/\\/c2.news.example\\/vote" in second
    # The extractor reads the page's own URL from them: each copy is its own article.
    assert (
        extract_article(first.decode(), "http://127.0.0.1/1").canonical_url == "https://c1.news.example/vote"
    )
    assert (
        extract_article(second.decode(), "http://127.0.0.1/2").canonical_url == "https://c2.news.example/vote"
    )


def test_editions_etags_and_not_modified() -> None:
    edited = PAGE.replace(b"another year", b"another two years")
    pages = [ServedPage("/a", PAGE, edited, copy=1), ServedPage("/b", PAGE, None, copy=2)]
    with PageServer(pages) as server, httpx.Client(base_url=server.base_url) as client:
        a, b = client.get("/a"), client.get("/b")
        assert a.content == copy_of(PAGE, 1) and b.content == copy_of(PAGE, 2)
        assert a.headers["etag"] != b.headers["etag"]  # one corpus page, two articles
        assert client.get("/a", headers={"If-None-Match": a.headers["etag"]}).status_code == 304
        client.get("/__edition/1")
        again = client.get("/a", headers={"If-None-Match": a.headers["etag"]})
        assert again.status_code == 200 and b"another two years" in again.content
        assert client.get("/b", headers={"If-None-Match": b.headers["etag"]}).status_code == 304
        assert client.get("/missing").status_code == 404


def test_a_copy_moves_every_scheme_as_one_replace_per_scheme_would() -> None:
    page = PAGE + b'<a href="http://a.example/x">x</a> "http:\\/\\/b.example" https://https://c.example'
    expected = page
    for scheme in (b"https://", b"http://", b"https:\\/\\/", b"http:\\/\\/"):
        expected = expected.replace(scheme, scheme + b"c7.")
    assert copy_of(page, 7) == expected
    assert copy_of(b"no absolute links", 7) == b"no absolute links"

"""The demo newsroom: seed data, page rendering, the local HTTP server, and extraction quality."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import httpx
import pytest
import trafilatura

from articlewatch.demo.articles import DemoArticle, Furniture, later_versions, seed_articles
from articlewatch.demo.newsroom import Newsroom
from articlewatch.demo.pages import (
    COOKIE_NOTICES,
    READER_COMMENTS,
    UKPAPER_COMMENT_RULES,
    cnbc_stamp,
    render_page,
    rt_stamp,
    ukpaper_stamp,
    yenisafak_stamp,
)

SLUGS = ("rt", "yenisafak", "cnbc", "ukpaper")
FIRST = seed_articles()
SECOND = later_versions(FIRST)
EDITIONS = {"first": FIRST, "second": SECOND}


@pytest.fixture()
def newsroom() -> Iterator[Newsroom]:
    """A running newsroom, stopped after the test."""
    with Newsroom() as room:
        yield room


def _get(url: str, **headers: str) -> httpx.Response:
    """GET over loopback without any proxy from the environment."""
    return httpx.get(url, headers=headers, trust_env=False, timeout=10)


def _extract(html: str, url: str, *, include_comments: bool = False) -> dict[str, Any]:
    """trafilatura's view of a page (comments excluded unless asked for), as a dict."""
    doc = trafilatura.bare_extraction(html, url=url, with_metadata=True, include_comments=include_comments)
    assert doc is not None
    # trafilatura 2.x returns a Document unless as_dict=True; the stubs allow either.
    return doc if isinstance(doc, dict) else doc.as_dict()


# --- seed data ------------------------------------------------------------------------------


def test_seed_articles_are_the_four_outlets_in_seed_order() -> None:
    assert tuple(FIRST) == SLUGS
    for slug, article in FIRST.items():
        assert article.slug == slug
        assert article.path.startswith(f"/{slug}/")
        assert len(article.paragraphs) >= 8
        assert all(p == p.strip() and p for p in article.paragraphs)


def test_rt_seed_is_cleaned_of_the_bad_extraction() -> None:
    rt = FIRST["rt"]
    body = " ".join(rt.paragraphs)
    assert "proposed by Minority Leader" not in body
    assert "said.proposed" not in body and "2016.However" not in body
    assert rt.caption == "© Joshua Roberts/Reuters"
    assert all("Joshua Roberts" not in p for p in rt.paragraphs)
    assert any(p.startswith("However, Putin specified") for p in rt.paragraphs)


def test_seed_furniture_and_metadata() -> None:
    ys = FIRST["yenisafak"]
    assert ys.title == "Trump 'disagrees' with Putin's interview offer: WH"
    assert ys.author == "Ersin Çelik"
    assert ys.tags == ("Russia", "Sarah Sanders", "U.S.")
    assert ys.furniture.relative_age == "6 years ago"
    assert FIRST["ukpaper"].author == "Press Association"
    assert FIRST["cnbc"].language == "en-US" and FIRST["ukpaper"].language == "en-GB"
    assert isinstance(FIRST["rt"].furniture, Furniture)


# --- the second edition ---------------------------------------------------------------------


def _differing_fields(a: DemoArticle, b: DemoArticle) -> set[str]:
    """Names of the fields that differ between two versions."""
    return {f.name for f in dataclasses.fields(a) if getattr(a, f.name) != getattr(b, f.name)}


def test_later_versions_change_exactly_what_the_script_says() -> None:
    assert _differing_fields(FIRST["yenisafak"], SECOND["yenisafak"]) == {"updated"}
    assert SECOND["yenisafak"].updated == "2018-08-07T17:48:00+03:00"
    assert _differing_fields(FIRST["cnbc"], SECOND["cnbc"]) == {"paragraphs", "updated"}
    assert _differing_fields(FIRST["ukpaper"], SECOND["ukpaper"]) == {"title"}
    assert _differing_fields(FIRST["rt"], SECOND["rt"]) == {"furniture"}


def test_cnbc_gains_one_paragraph_on_the_98_0_vote_after_the_unanimous_vote() -> None:
    before, after = FIRST["cnbc"].paragraphs, SECOND["cnbc"].paragraphs
    assert len(after) == len(before) + 1
    added = [p for p in after if p not in before]
    assert len(added) == 1 and "98-0" in added[0]
    index = after.index(added[0])
    assert "unanimous vote" in after[index - 1]
    assert after[:index] + after[index + 1 :] == before
    assert FIRST["cnbc"].updated is not None and SECOND["cnbc"].updated is not None
    assert datetime.fromisoformat(SECOND["cnbc"].updated) > datetime.fromisoformat(FIRST["cnbc"].updated)


def test_rt_second_edition_only_moves_the_furniture() -> None:
    old, new = FIRST["rt"].furniture, SECOND["rt"].furniture
    assert SECOND["rt"].paragraphs == FIRST["rt"].paragraphs
    assert set(old.related).isdisjoint(new.related)
    assert set(old.most_read).isdisjoint(new.most_read)
    assert new.comment_count > old.comment_count and new.share_count > old.share_count
    assert (old.relative_age, new.relative_age) == ("6 years ago", "7 years ago")


# --- page rendering -------------------------------------------------------------------------


def test_date_stamps_follow_each_site_style() -> None:
    assert yenisafak_stamp(datetime.fromisoformat(FIRST["yenisafak"].published)) == (
        "09:47 - 20/07/2018 Friday"
    )
    assert yenisafak_stamp(datetime.fromisoformat("2018-08-07T17:48:00+03:00")) == (
        "17:48 - 7/08/2018 Tuesday"
    )
    assert cnbc_stamp(datetime.fromisoformat(FIRST["cnbc"].published)) == ("Thu, Jul 19 2018 12:32 PM EDT")
    assert cnbc_stamp(datetime.fromisoformat("2018-12-03T00:05:00-05:00")) == ("Mon, Dec 3 2018 12:05 AM EST")
    assert rt_stamp(datetime.fromisoformat(FIRST["rt"].published)) == "19 Jul, 2018 21:51"
    assert ukpaper_stamp(datetime.fromisoformat("2018-07-22T10:00:00+01:00")) == "22nd July 2018"


@pytest.mark.parametrize("slug", SLUGS)
def test_render_page_is_deterministic_with_absolute_canonical(slug: str) -> None:
    article = FIRST[slug]
    page = render_page(article, "http://example.test")
    assert page == render_page(article, "http://example.test")
    assert page.startswith("<!DOCTYPE html>")
    assert f'<html lang="{article.language}">' in page
    assert f'<link rel="canonical" href="http://example.test{article.path}">' in page
    assert '<meta property="og:title"' in page
    assert f'href="{article.path}"' in render_page(article)  # relative without a base URL


def test_date_metadata_per_site() -> None:
    ys = render_page(SECOND["yenisafak"])
    assert "published_time" not in ys and "datePublished" not in ys and "datetime=" not in ys
    cnbc = render_page(SECOND["cnbc"])
    assert '"@type": "NewsArticle"' in cnbc
    assert '"dateModified": "2018-07-19T16:41:00-04:00"' in cnbc
    assert "Published Thu, Jul 19 2018 12:32 PM EDT" in cnbc
    assert "Updated Thu, Jul 19 2018 4:41 PM EDT" in cnbc
    assert "Click to show more</button>" in cnbc
    rt = render_page(SECOND["rt"])
    assert "Published time: 19 Jul, 2018 21:51" in rt
    assert 'article:modified_time" content="2018-07-19T21:51:00+00:00"' in rt
    uk = render_page(FIRST["ukpaper"])
    assert 'article:modified_time" content="2018-07-19T22:05:00+01:00"' in uk
    assert '"dateModified": "2018-07-19T22:05:00+01:00"' in uk
    assert "Comments: Our rules" in uk


def test_unknown_site_style_is_refused() -> None:
    with pytest.raises(ValueError, match="no page style"):
        render_page(dataclasses.replace(FIRST["rt"], slug="elsewhere"))


# --- serving --------------------------------------------------------------------------------


def test_published_pages_are_served(newsroom: Newsroom) -> None:
    urls = newsroom.publish(FIRST)
    assert set(urls) == set(SLUGS)
    for slug, url in urls.items():
        article = FIRST[slug]
        assert url == f"{newsroom.base_url}{article.path}"
        response = _get(url)
        assert response.status_code == 200
        assert response.headers["content-type"] == "text/html; charset=utf-8"
        assert int(response.headers["content-length"]) == len(response.content)
        assert response.headers["etag"].startswith('"') and response.headers["last-modified"]
        assert article.title in response.text
        assert article.paragraphs[1] in response.text
    assert newsroom.base_url.startswith("http://127.0.0.1:")


def test_yenisafak_update_stamp_appears_in_the_second_edition(newsroom: Newsroom) -> None:
    url = newsroom.publish(FIRST)["yenisafak"]
    first = _get(url).text
    assert "09:47 - 20/07/2018 Friday" in first
    assert "Update:" not in first
    newsroom.publish(SECOND)
    second = _get(url).text
    assert "09:47 - 20/07/2018 Friday" in second
    assert "Update: 17:48 - 7/08/2018 Tuesday" in second


def test_second_edition_pages(newsroom: Newsroom) -> None:
    urls = newsroom.publish(FIRST)
    before = {slug: _get(url).text for slug, url in urls.items()}
    newsroom.publish(SECOND)
    after = {slug: _get(url).text for slug, url in urls.items()}
    assert "98-0" not in before["cnbc"] and "98-0" in after["cnbc"]
    assert after["cnbc"].count("<p>") == before["cnbc"].count("<p>") + 1
    assert SECOND["ukpaper"].title in after["ukpaper"]
    assert "7 years ago" in after["rt"] and "6 years ago" not in after["rt"]
    assert all(before[slug] != after[slug] for slug in SLUGS)


def test_conditional_get_returns_304_for_a_matching_etag(newsroom: Newsroom) -> None:
    url = newsroom.publish(FIRST)["rt"]
    first = _get(url)
    etag = first.headers["etag"]
    again = _get(url, **{"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == etag
    assert _get(url, **{"If-None-Match": f'"nope", W/{etag}'}).status_code == 304
    assert _get(url, **{"If-None-Match": '"something-else"'}).status_code == 200
    newsroom.publish(SECOND)
    changed = _get(url, **{"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["etag"] != etag


def test_put_remove_and_404(newsroom: Newsroom) -> None:
    missing = _get(newsroom.url("/nowhere"))
    assert missing.status_code == 404 and "Not Found" in missing.text
    url = newsroom.put("/feeds/latest.xml", "<rss/>", content_type="application/rss+xml")
    assert url == newsroom.url("/feeds/latest.xml")
    response = _get(url + "?page=1")  # query strings fall back to the bare path
    assert response.status_code == 200 and response.text == "<rss/>"
    assert response.headers["content-type"] == "application/rss+xml"
    assert "etag" not in response.headers  # only published pages get validators
    newsroom.put("gone", b"\xff\x00", status=410, headers={"X-Reason": "removed"})
    gone = _get(newsroom.url("/gone"))
    assert (gone.status_code, gone.content) == (410, b"\xff\x00")
    assert gone.headers["x-reason"] == "removed"
    newsroom.remove("/feeds/latest.xml")
    assert _get(url).status_code == 404
    newsroom.remove("/never-there")  # no error


def test_put_with_custom_etag_supports_conditional_get(newsroom: Newsroom) -> None:
    url = newsroom.put("/x", "body", headers={"ETag": '"v1"'})
    assert _get(url, **{"If-None-Match": '"v1"'}).status_code == 304


def test_redirects_can_be_staged_with_put(newsroom: Newsroom) -> None:
    target = newsroom.put("/new-home", "moved here")
    newsroom.put("/old-home", "", status=301, headers={"Location": target})
    response = httpx.get(newsroom.url("/old-home"), follow_redirects=True, trust_env=False)
    assert response.text == "moved here" and len(response.history) == 1


def test_head_and_request_log(newsroom: Newsroom) -> None:
    url = newsroom.publish(FIRST)["cnbc"]
    head = httpx.head(url, trust_env=False)
    assert head.status_code == 200 and head.content == b""
    assert int(head.headers["content-length"]) == len(_get(url).content)
    path = FIRST["cnbc"].path
    assert newsroom.requests == [("HEAD", path), ("GET", path)]


def test_lifecycle() -> None:
    room = Newsroom()
    with pytest.raises(RuntimeError):
        _ = room.base_url
    room.start()
    url = room.put("/ping", "pong")
    assert _get(url).text == "pong"
    with pytest.raises(RuntimeError):
        room.start()
    room.stop()
    room.stop()  # idempotent
    with pytest.raises(httpx.TransportError):
        _get(url)


# --- extraction quality (the main bar for these pages) --------------------------------------


def _furniture_strings(article: DemoArticle) -> list[str]:
    """Text on the page that is not the article and must not reach extracted text."""
    furniture = article.furniture
    return [
        *(text for _, text in READER_COMMENTS[article.slug]),
        COOKIE_NOTICES[article.slug],
        *furniture.related,
        *furniture.most_read,
        furniture.relative_age,
        f"{furniture.comment_count:,} comments",
        f"{furniture.share_count:,} shares",
        "Advertisement",
        "Accept",
        "Click to show more",
        *UKPAPER_COMMENT_RULES,
    ]


@pytest.mark.parametrize("edition", list(EDITIONS))
@pytest.mark.parametrize("slug", SLUGS)
def test_trafilatura_extracts_the_body_and_nothing_else(newsroom: Newsroom, slug: str, edition: str) -> None:
    article = EDITIONS[edition][slug]
    url = newsroom.publish({slug: article})[slug]
    extracted = _extract(_get(url).text, url)
    text = extracted["text"]
    for paragraph in article.paragraphs:
        assert paragraph in text
    for junk in _furniture_strings(article):
        assert junk not in text, junk
    assert extracted["title"] == article.title
    assert extracted["date"] == article.published[:10]


def test_furniture_only_change_is_invisible_to_the_extractor(newsroom: Newsroom) -> None:
    url = newsroom.publish(FIRST)["rt"]
    first = _extract(_get(url).text, url)
    newsroom.publish(SECOND)
    second = _extract(_get(url).text, url)
    assert first["text"] == second["text"]


def test_reader_comments_are_recognised_as_comments(newsroom: Newsroom) -> None:
    urls = newsroom.publish(FIRST)
    for slug, url in urls.items():
        comments = _extract(_get(url).text, url, include_comments=True)["comments"] or ""
        for _, text in READER_COMMENTS[slug]:
            assert text in comments

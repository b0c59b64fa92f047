"""robots.txt: read once per host per run, disallowed URLs become one-line errors, unreachable ones retry."""

from __future__ import annotations

from pathlib import Path

import pytest

from articlewatch import pipeline
from articlewatch.demo.articles import DemoArticle
from articlewatch.demo.newsroom import Newsroom
from articlewatch.demo.pages import render_page
from articlewatch.errors import RobotsDisallowedError, TransientFetchError
from articlewatch.fetch import make_client
from articlewatch.politeness import HostGate, host_of
from articlewatch.robots import MAX_CRAWL_DELAY_SECONDS, RobotsCache, robots_url_for
from articlewatch.store import SnapshotStore

PAGE = "<html><body><article><p>A story worth reading twice.</p></article></body></html>"


def robots(room: Newsroom, text: str, status: int = 200) -> None:
    room.put("/robots.txt", text, status=status, content_type="text/plain")


def page_requests(room: Newsroom, path: str) -> int:
    return sum(1 for _, requested in room.requests if requested == path)


def test_disallowed_url_is_an_error_and_never_requested(newsroom: Newsroom, store: SnapshotStore) -> None:
    robots(newsroom, "User-agent: *\nDisallow: /private/\n")
    secret = newsroom.put("/private/story", PAGE)
    public = newsroom.put("/news/story", PAGE)
    with make_client(5.0) as client:
        gate = HostGate(delay=0.0)
        cache = RobotsCache(client, gate)
        with pytest.raises(RobotsDisallowedError, match="disallowed for articlewatch by .*/robots.txt"):
            pipeline.fetch_stage(secret, store, client, gate=gate, robots=cache)
        assert pipeline.fetch_stage(public, store, client, gate=gate, robots=cache).status == 200
        record = pipeline.record_failure(store, secret, RobotsDisallowedError(f"{secret}: disallowed"))
    assert record.outcome == "error" and secret in (record.error or "")
    assert page_requests(newsroom, "/private/story") == 0
    assert page_requests(newsroom, "/robots.txt") == 1  # once per host per run


def test_a_group_for_articlewatch_wins_over_the_star_group(newsroom: Newsroom) -> None:
    robots(newsroom, "User-agent: *\nDisallow: /\n\nUser-agent: articlewatch\nDisallow: /drafts/*.html$\n")
    with make_client(5.0) as client:
        cache = RobotsCache(client, HostGate(delay=0.0))
        cache.check(newsroom.url("/news/story"))
        with pytest.raises(RobotsDisallowedError):
            cache.check(newsroom.url("/drafts/story.html"))
        cache.check(newsroom.url("/drafts/story.html?page=2"))  # the $ anchors the pattern


def test_no_robots_txt_means_no_rules(newsroom: Newsroom) -> None:
    with make_client(5.0) as client:
        RobotsCache(client, HostGate(delay=0.0)).check(newsroom.url("/anything"))


@pytest.mark.parametrize("status", [500, 503, 429])
def test_an_unreachable_robots_txt_is_a_retryable_error(newsroom: Newsroom, status: int) -> None:
    robots(newsroom, "oops", status=status)
    with make_client(5.0) as client:
        cache = RobotsCache(client, HostGate(delay=0.0))
        with pytest.raises(TransientFetchError, match=f"robots.txt unreachable .*HTTP {status}"):
            cache.check(newsroom.url("/news/story"))


def test_a_silent_host_is_a_retryable_error() -> None:
    with Newsroom() as room:
        url = room.url("/news/story")
    # The newsroom is stopped: nothing listens on its port.
    with make_client(2.0) as client, pytest.raises(TransientFetchError, match="robots.txt unreachable"):
        RobotsCache(client, HostGate(delay=0.0)).check(url)


def test_crawl_delay_slows_the_host_down_up_to_a_cap(newsroom: Newsroom) -> None:
    robots(newsroom, "User-agent: *\nCrawl-delay: 3600\n")
    gate = HostGate(delay=0.0)
    with make_client(5.0) as client:
        RobotsCache(client, gate).check(newsroom.url("/news/story"))
    assert gate.delay_for(host_of(newsroom.base_url)) == MAX_CRAWL_DELAY_SECONDS


def test_robots_url_keeps_scheme_host_and_port() -> None:
    assert robots_url_for("HTTPS://News.Example:8443/a/b?c=1#d") == "https://news.example:8443/robots.txt"


@pytest.mark.usefixtures("prefect_server")
def test_the_flow_honours_robots_txt_unless_told_not_to(
    newsroom: Newsroom, seeds: dict[str, DemoArticle], store_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flows.check import check_articles

    robots(newsroom, "User-agent: *\nDisallow: /private/\n")
    url = newsroom.put("/private/story", render_page(seeds["rt"], newsroom.base_url))
    [record] = check_articles(urls=[url], store=str(store_dir))
    assert record["outcome"] == "error" and record["snapshot"] is None
    assert record["error"] == f"{url}: disallowed for articlewatch by {newsroom.url('/robots.txt')}"
    assert page_requests(newsroom, "/private/story") == 0

    monkeypatch.setenv("ARTICLEWATCH_ROBOTS", "false")
    [record] = check_articles(urls=[url], store=str(store_dir))
    assert record["outcome"] == "new", record
    assert page_requests(newsroom, "/private/story") == 1

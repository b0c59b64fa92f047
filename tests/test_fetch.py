"""Fetching against a real local server: statuses, content types, limits, charsets, conditional GET."""

from __future__ import annotations

import httpx
import pytest
from servers import keep_alive_304, serving

from articlewatch.decoding import decode_html
from articlewatch.demo.newsroom import Newsroom
from articlewatch.errors import FetchError, PageGoneError, TransientFetchError
from articlewatch.fetch import USER_AGENT, fetch_page, make_client


@pytest.fixture()
def client() -> httpx.Client:
    with make_client(timeout=5) as opened:
        yield opened


def test_html_page_is_fetched_and_decoded(newsroom: Newsroom, client: httpx.Client) -> None:
    url = newsroom.put("/a", "<html><body><p>Güncelleme</p></body></html>", headers={"ETag": '"v1"'})
    result = fetch_page(url, client)
    assert result.status == 200 and "Güncelleme" in result.html and result.etag == '"v1"'


def test_conditional_get_returns_not_modified(newsroom: Newsroom, client: httpx.Client) -> None:
    url = newsroom.put("/a", "<html><body><p>x</p></body></html>", headers={"ETag": '"v1"'})
    first = fetch_page(url, client)
    second = fetch_page(url, client, etag=first.etag)
    assert second.not_modified and second.status == 304


@pytest.mark.parametrize(
    ("status", "error", "text"),
    [
        (404, PageGoneError, "HTTP 404"),
        (410, PageGoneError, "HTTP 410"),
        (403, FetchError, "HTTP 403"),
        (500, TransientFetchError, "HTTP 500"),
        (429, TransientFetchError, "HTTP 429"),
    ],
)
def test_status_errors(newsroom: Newsroom, client: httpx.Client, status: int, error: type, text: str) -> None:
    url = newsroom.put("/s", "<html>x</html>", status=status)
    with pytest.raises(error) as caught:
        fetch_page(url, client)
    assert url in str(caught.value) and text in str(caught.value)


def test_non_html_and_oversized_and_empty_are_refused(newsroom: Newsroom, client: httpx.Client) -> None:
    pdf = newsroom.put("/r.pdf", b"%PDF-1.4", content_type="application/pdf")
    with pytest.raises(FetchError, match="not an HTML page"):
        fetch_page(pdf, client)
    big = newsroom.put("/big", b"<html>" + b"x" * 5000)
    with pytest.raises(FetchError, match="too large"):
        fetch_page(big, client, max_bytes=1000)
    empty = newsroom.put("/empty", b"")
    with pytest.raises(FetchError, match="empty"):
        fetch_page(empty, client)


def test_connection_refused_is_transient(client: httpx.Client) -> None:
    with pytest.raises(TransientFetchError, match="cannot connect"):
        fetch_page("http://127.0.0.1:9/article", client)


def test_user_agent_names_articlewatch(newsroom: Newsroom, client: httpx.Client) -> None:
    assert client.headers["user-agent"] == USER_AGENT and USER_AGENT.startswith("articlewatch/")


def test_charset_from_meta_and_bad_bytes() -> None:
    turkish = '<meta charset="windows-1254"><p>Güncelleme</p>'.encode("cp1254")
    assert "Güncelleme" in decode_html(turkish)
    assert "\ufffd" in decode_html(b"<p>bad \xff\xfe bytes</p>")


def test_not_modified_keeps_the_connection_open() -> None:
    with serving(keep_alive_304([])) as server, make_client(timeout=5) as client:
        for _ in range(3):
            assert fetch_page(server.url + "/a", client, etag='"v1"').not_modified
        assert server.connections == 1

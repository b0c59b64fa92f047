"""The run's plain and conditional GETs on kept-alive connections, against real servers on 127.0.0.1:
what they take, what they leave to fetch_page, and that both ways give the same FetchResult."""

from __future__ import annotations

import gzip
import socket
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from servers import RawServer, endless_body, keep_alive_304, read_request, serving, trickle_headers

from articlewatch import pipeline
from articlewatch.demo.newsroom import Newsroom
from articlewatch.errors import FetchError, TransientFetchError
from articlewatch.fetch import fetch_page, make_client
from articlewatch.revalidate import Revalidator
from articlewatch.store import FetchMemo, SnapshotStore

PAGE = "<html><body><p>The council met on Tuesday.</p></body></html>"
NOT_MODIFIED = b'HTTP/1.1 304 Not Modified\r\nETag: "v1"\r\nContent-Length: 0\r\n\r\n'


def memo(etag: str | None = '"v1"', last_modified: str | None = None) -> FetchMemo:
    return FetchMemo(etag=etag, last_modified=last_modified, raw_sha256=None)


@pytest.fixture()
def revalidator() -> Iterator[Revalidator]:
    checker = Revalidator(timeout=5)
    yield checker
    checker.close()


def test_unchanged_page_answers_304_with_its_validators(newsroom: Newsroom, revalidator: Revalidator) -> None:
    url = newsroom.put("/a", PAGE, headers={"ETag": '"v1"'})
    result = revalidator.fetch(url, memo())
    assert result is not None and result.not_modified and result.status == 304
    assert result.etag == '"v1"' and result.url == url


def test_a_changed_page_is_taken_whole_from_its_one_conditional_get(
    newsroom: Newsroom, revalidator: Revalidator, tmp_path: Path
) -> None:
    url = newsroom.put("/a", PAGE.replace("Tuesday", "Wednesday"), headers={"ETag": '"v2"'})
    with SnapshotStore(tmp_path / "store") as store, make_client(timeout=5) as client:
        fetched = pipeline.fetch_stage(url, store, client, memo=memo(), revalidator=revalidator)
    assert fetched.status == 200 and "Wednesday" in fetched.html and fetched.etag == '"v2"'
    assert [path for _, path in newsroom.requests] == ["/a"]  # not again through httpx


def test_without_validators_it_is_a_plain_get(revalidator: Revalidator) -> None:
    requests: list[bytes] = []
    body = PAGE.encode()
    answer = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)

    def pages(server: RawServer, conn: socket.socket) -> None:
        while True:
            server.send(conn, answer)
            request = read_request(conn)
            if not request:
                return
            requests.append(request)

    with serving(pages) as server:
        for _ in range(3):
            result = revalidator.fetch(server.url + "/a", memo(etag=None))
            assert result is not None and result.status == 200 and result.body == body
        assert server.connections == 1
    assert len(requests) == 2
    assert not any(b"If-None-Match" in request or b"If-Modified-Since" in request for request in requests)


@pytest.mark.parametrize(
    ("path", "body", "headers"),
    [
        ("/plain", PAGE.encode(), {"ETag": '"v1"', "Last-Modified": "Tue, 07 Aug 2018 17:48:00 GMT"}),
        ("/latin", PAGE.encode("latin-1"), {"Content-Type": "text/html; charset=ISO-8859-1"}),
        ("/quoted", PAGE.encode(), {"Content-Type": 'text/html; charset="utf-8"; x=1'}),
        ("/gzipped", gzip.compress(PAGE.encode()), {"Content-Encoding": "gzip"}),
        ("/xhtml", PAGE.encode(), {"Content-Type": "application/xhtml+xml"}),
        ("/untyped", PAGE.encode(), {"Content-Type": ""}),
        ("/caf%C3%A9/2018", PAGE.encode(), {}),
    ],
)
def test_a_plain_200_gives_the_fetch_result_fetch_page_gives(
    newsroom: Newsroom, revalidator: Revalidator, path: str, body: bytes, headers: dict[str, str]
) -> None:
    url = newsroom.put(path, body, headers=headers)
    taken = revalidator.fetch(url + "?id=1&x=%2F")
    with make_client(timeout=5) as client:
        fetched = fetch_page(url + "?id=1&x=%2F", client)
    assert taken is not None
    assert replace(taken, fetched_at="") == replace(fetched, fetched_at="")


@pytest.mark.parametrize(
    ("status", "headers", "body", "words"),
    [
        (404, {}, b"gone", "page gone (HTTP 404)"),
        (503, {"Retry-After": "2"}, b"busy", "HTTP 503 Service Unavailable (retry after 2 s)"),
        (429, {"Retry-After": "3600"}, b"later", "HTTP 429 Too Many Requests (retry after 3600 s)"),
        (403, {}, b"no", "HTTP 403 Forbidden"),
        (200, {"Content-Type": "application/pdf"}, b"%PDF-1.4", "not an HTML page (application/pdf)"),
    ],
)
def test_an_answer_fetch_page_refuses_gets_its_words_from_one_request(
    newsroom: Newsroom,
    revalidator: Revalidator,
    status: int,
    headers: dict[str, str],
    body: bytes,
    words: str,
) -> None:
    url = newsroom.put("/a", body, status=status, headers=headers)
    with pytest.raises((FetchError, TransientFetchError)) as taken:
        revalidator.fetch(url)
    assert newsroom.requests == [("GET", "/a")]  # a 429 is not asked again at once
    with make_client(timeout=5) as client, pytest.raises((FetchError, TransientFetchError)) as fetched:
        fetch_page(url, client)
    assert type(taken.value) is type(fetched.value)
    assert str(taken.value) == str(fetched.value) == f"{url}: {words}"
    assert getattr(taken.value, "retry_after", None) == getattr(fetched.value, "retry_after", None)


def test_an_odd_success_is_left_to_fetch_page(newsroom: Newsroom, revalidator: Revalidator) -> None:
    url = newsroom.put("/a", b"", status=204)
    assert revalidator.fetch(url) is None
    with make_client(timeout=5) as client, pytest.raises(FetchError, match="empty response body"):
        fetch_page(url, client)


def test_a_redirect_is_left_to_fetch_page(
    newsroom: Newsroom, revalidator: Revalidator, tmp_path: Path
) -> None:
    target = newsroom.put("/new", PAGE)
    url = newsroom.put("/old", b"", status=301, headers={"Location": target})
    assert revalidator.fetch(url) is None
    with SnapshotStore(tmp_path / "store") as store, make_client(timeout=5) as client:
        fetched = pipeline.fetch_stage(url, store, client, memo=memo(etag=None), revalidator=revalidator)
    assert fetched.final_url == target and fetched.body == PAGE.encode()


@pytest.mark.parametrize(
    ("body", "headers", "words"),
    [
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, {}, "not an HTML page (a PNG image, served as text/html)"),
        (b"  \n ", {}, "empty response body"),
        (PAGE.encode(), {"Content-Encoding": "br"}, "unsupported content encoding (br)"),
    ],
)
def test_a_body_fetch_page_refuses_is_refused_in_the_same_words(
    newsroom: Newsroom, revalidator: Revalidator, body: bytes, headers: dict[str, str], words: str
) -> None:
    url = newsroom.put("/a", body, headers=headers)
    with pytest.raises(FetchError) as taken:
        revalidator.fetch(url)
    with make_client(timeout=5) as client, pytest.raises(FetchError) as fetched:
        fetch_page(url, client)
    assert str(taken.value) == str(fetched.value) == f"{url}: {words}"


def test_an_endless_body_stops_at_the_size_cap(revalidator: Revalidator) -> None:
    with serving(endless_body) as server:
        with pytest.raises(FetchError, match=r"response too large \(over 10485760 bytes\)$"):
            revalidator.fetch(server.url + "/a")
        assert server.bytes_sent < 100 * 1024 * 1024


def test_with_a_proxy_in_the_environment_nothing_is_fetched_here(
    newsroom: Newsroom, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = newsroom.put("/a", PAGE, headers={"ETag": '"v1"'})
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.invalid:3128")
    checker = Revalidator(timeout=5)
    assert checker.fetch(url) is None and checker.fetch(url, memo()) is None
    assert newsroom.requests == []


def test_one_connection_serves_many_checks(revalidator: Revalidator) -> None:
    requests: list[bytes] = []
    with serving(keep_alive_304(requests)) as server:
        for _ in range(5):
            assert revalidator.fetch(server.url + "/a?page=2", memo()) is not None
        assert server.connections == 1
    assert len(requests) == 4
    assert all(request.startswith(b"GET /a?page=2 HTTP/1.1\r\n") for request in requests)
    assert all(b'If-None-Match: "v1"' in request for request in requests)


def test_last_modified_alone_is_asked_with_if_modified_since(revalidator: Revalidator) -> None:
    requests: list[bytes] = []
    stamp = "Tue, 07 Aug 2018 17:48:00 GMT"
    with serving(keep_alive_304(requests)) as server:
        for _ in range(2):
            result = revalidator.fetch(server.url + "/a", memo(etag=None, last_modified=stamp))
            assert result is not None and result.last_modified == stamp
    assert f"If-Modified-Since: {stamp}".encode() in requests[0] and b"If-None-Match" not in requests[0]


def test_a_connection_the_server_closed_is_replaced(revalidator: Revalidator) -> None:
    def once(server: RawServer, conn: socket.socket) -> None:
        server.send(conn, NOT_MODIFIED)  # then closes without saying so: an idle timeout

    with serving(once) as server:
        for _ in range(3):
            assert revalidator.fetch(server.url + "/a", memo()) is not None
        assert server.connections == 3


def test_a_trickling_server_is_cut_off_at_the_deadline() -> None:
    checker = Revalidator(timeout=1)
    with serving(trickle_headers) as server:
        started = time.monotonic()
        with pytest.raises(TransientFetchError, match=r"^http://127\.0\.0\.1:\d+/a: timed out \(no complete"):
            checker.fetch(server.url + "/a", memo())
        assert time.monotonic() - started < 2.5


def test_private_addresses_stay_refused(newsroom: Newsroom, tmp_path: Path) -> None:
    url = newsroom.put("/a", PAGE, headers={"ETag": '"v1"'})
    checker = Revalidator(timeout=5, block_private=True)
    assert checker.fetch(url, memo()) is None
    with (
        SnapshotStore(tmp_path / "store") as store,
        make_client(timeout=5, block_private=True) as client,
        pytest.raises(FetchError, match="blocked"),
    ):
        pipeline.fetch_stage(url, store, client, memo=memo(), revalidator=checker)
    assert newsroom.requests == []

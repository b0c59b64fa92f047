"""The warm pass's conditional GET on kept-alive connections, against real servers on 127.0.0.1."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from servers import RawServer, keep_alive_304, serving, trickle_headers

from articlewatch import pipeline
from articlewatch.demo.newsroom import Newsroom
from articlewatch.errors import FetchError, TransientFetchError
from articlewatch.fetch import make_client
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
    result = revalidator.not_modified(url, memo())
    assert result is not None and result.not_modified and result.status == 304
    assert result.etag == '"v1"' and result.url == url


def test_changed_page_is_left_to_the_full_fetch(
    newsroom: Newsroom, revalidator: Revalidator, tmp_path: Path
) -> None:
    url = newsroom.put("/a", PAGE.replace("Tuesday", "Wednesday"), headers={"ETag": '"v2"'})
    assert revalidator.not_modified(url, memo()) is None
    with SnapshotStore(tmp_path / "store") as store, make_client(timeout=5) as client:
        fetched = pipeline.fetch_stage(url, store, client, memo=memo(), revalidator=revalidator)
    assert fetched.status == 200 and "Wednesday" in fetched.html
    assert [path for _, path in newsroom.requests] == ["/a", "/a", "/a"]


def test_no_validators_means_no_request(newsroom: Newsroom, revalidator: Revalidator) -> None:
    url = newsroom.put("/a", PAGE, headers={"ETag": '"v1"'})
    assert revalidator.not_modified(url, memo(etag=None)) is None
    assert newsroom.requests == []


def test_one_connection_serves_many_checks(revalidator: Revalidator) -> None:
    requests: list[bytes] = []
    with serving(keep_alive_304(requests)) as server:
        for _ in range(5):
            assert revalidator.not_modified(server.url + "/a?page=2", memo()) is not None
        assert server.connections == 1
    assert len(requests) == 4
    assert all(request.startswith(b"GET /a?page=2 HTTP/1.1\r\n") for request in requests)
    assert all(b'If-None-Match: "v1"' in request for request in requests)


def test_last_modified_alone_is_asked_with_if_modified_since(revalidator: Revalidator) -> None:
    requests: list[bytes] = []
    stamp = "Tue, 07 Aug 2018 17:48:00 GMT"
    with serving(keep_alive_304(requests)) as server:
        for _ in range(2):
            result = revalidator.not_modified(server.url + "/a", memo(etag=None, last_modified=stamp))
            assert result is not None and result.last_modified == stamp
    assert f"If-Modified-Since: {stamp}".encode() in requests[0] and b"If-None-Match" not in requests[0]


def test_a_connection_the_server_closed_is_replaced(revalidator: Revalidator) -> None:
    def once(server: RawServer, conn: socket.socket) -> None:
        server.send(conn, NOT_MODIFIED)  # then closes without saying so: an idle timeout

    with serving(once) as server:
        for _ in range(3):
            assert revalidator.not_modified(server.url + "/a", memo()) is not None
        assert server.connections == 3


def test_a_trickling_server_is_cut_off_at_the_deadline() -> None:
    checker = Revalidator(timeout=1)
    with serving(trickle_headers) as server:
        started = time.monotonic()
        with pytest.raises(TransientFetchError, match=r"^http://127\.0\.0\.1:\d+/a: timed out \(no complete"):
            checker.not_modified(server.url + "/a", memo())
        assert time.monotonic() - started < 2.5


def test_private_addresses_stay_refused(newsroom: Newsroom, tmp_path: Path) -> None:
    url = newsroom.put("/a", PAGE, headers={"ETag": '"v1"'})
    checker = Revalidator(timeout=5, block_private=True)
    assert checker.not_modified(url, memo()) is None
    with (
        SnapshotStore(tmp_path / "store") as store,
        make_client(timeout=5, block_private=True) as client,
        pytest.raises(FetchError, match="blocked"),
    ):
        pipeline.fetch_stage(url, store, client, memo=memo(), revalidator=checker)
    assert newsroom.requests == []

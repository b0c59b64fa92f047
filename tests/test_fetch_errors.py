"""The bad-input matrix against real local servers: one typed error with a one-line message naming
the URL and the cause for each way a fetch can fail, and the pages that only look broken read right."""

from __future__ import annotations

import gzip
import socket
import ssl
import time
import tracemalloc
import zlib
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import trustme
from article_pages import TURKISH
from servers import (
    endless_body,
    ok_page,
    serving,
    silent,
    trickle_body,
    trickle_headers,
    truncated_body,
)

from articlewatch.demo.newsroom import Newsroom
from articlewatch.errors import FetchError, PageGoneError, TransientFetchError
from articlewatch.extract import extract_article
from articlewatch.fetch import fetch_page, make_client, retry_after_seconds
from articlewatch.pipeline import check_urls
from articlewatch.store import SnapshotStore

JAPANESE = (
    "<html><head><title>経済対策を発表</title></head><body><article><h1>政府が新しい経済対策を発表</h1>"
    "<p>政府は本日、新しい経済対策を発表した。首相は記者会見で「国民の生活を守るため、あらゆる手段を講じる」"
    "と述べた。対策の規模は約十兆円となる見込みだ。</p>"
    "<p>野党からは財源について疑問の声が上がっている。専門家は物価への影響を注視している。</p>"
    "</article></body></html>"
)
ARTICLE = (
    "<html><head><title>A plain article</title></head><body><article><h1>A plain article</h1>"
    + "<p>The council voted on Tuesday to keep the library open for another year.</p>" * 3
    + "</article></body></html>"
)


@pytest.fixture()
def client() -> Iterator[httpx.Client]:
    with make_client(timeout=1.5) as opened:
        yield opened


def refused_url() -> str:
    """A loopback port nobody listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/article"


def assert_one_line(error: BaseException, url: str, cause: str) -> None:
    text = str(error)
    assert text.startswith(f"{url}: "), text
    assert cause in text, text
    assert "\n" not in text


@pytest.mark.parametrize(
    ("status", "headers", "error", "cause"),
    [
        (403, {}, FetchError, "HTTP 403 Forbidden"),
        (401, {}, FetchError, "HTTP 401 Unauthorized"),
        (404, {}, PageGoneError, "page gone (HTTP 404)"),
        (410, {}, PageGoneError, "page gone (HTTP 410)"),
        (500, {}, TransientFetchError, "HTTP 500 Internal Server Error"),
        (502, {}, TransientFetchError, "HTTP 502 Bad Gateway"),
        (503, {"Retry-After": "7"}, TransientFetchError, "HTTP 503 Service Unavailable (retry after 7 s)"),
        (429, {"Retry-After": "2"}, TransientFetchError, "HTTP 429 Too Many Requests (retry after 2 s)"),
        (302, {}, FetchError, "HTTP 302 Found without a Location to follow"),
    ],
)
def test_status_codes(
    newsroom: Newsroom, client: httpx.Client, status: int, headers: dict[str, str], error: type, cause: str
) -> None:
    url = newsroom.put("/s", "<html>status page</html>", status=status, headers=headers)
    with pytest.raises(error) as caught:
        fetch_page(url, client)
    assert_one_line(caught.value, url, cause)
    if "Retry-After" in headers:
        assert caught.value.retry_after == float(headers["Retry-After"])


def test_retry_after_reads_seconds_and_http_dates() -> None:
    from datetime import UTC, datetime

    now = datetime(2026, 11, 22, 8, 0, 0, tzinfo=UTC)
    assert retry_after_seconds("120") == 120.0
    assert retry_after_seconds("Sun, 22 Nov 2026 08:01:30 GMT", now) == 90.0
    assert retry_after_seconds("Sun, 22 Nov 2026 07:00:00 GMT", now) == 0.0
    assert retry_after_seconds("soon") is None and retry_after_seconds(None) is None


def test_connection_refused(client: httpx.Client) -> None:
    url = refused_url()
    with pytest.raises(TransientFetchError) as caught:
        fetch_page(url, client)
    assert_one_line(caught.value, url, "cannot connect")


def test_dns_failure_is_permanent_and_names_the_host(client: httpx.Client) -> None:
    url = "http://no-such-newsroom.invalid/2018/article"
    with pytest.raises(FetchError) as caught:
        fetch_page(url, client)
    assert_one_line(caught.value, url, "DNS lookup failed: no-such-newsroom.invalid not found")


@pytest.mark.parametrize(
    "handler", [trickle_body, trickle_headers, silent], ids=["body", "headers", "silent"]
)
def test_a_server_that_trickles_or_stalls_meets_the_overall_deadline(
    client: httpx.Client, handler: object
) -> None:
    with serving(handler) as server:  # type: ignore[arg-type]
        url = server.url + "/slow"
        started = time.monotonic()
        with pytest.raises(TransientFetchError) as caught:
            fetch_page(url, client)
        elapsed = time.monotonic() - started
    assert_one_line(caught.value, url, "timed out")
    assert elapsed < 3.0, f"the 1.5 s deadline held for {elapsed:.1f} s"


def test_tls_certificate_nobody_trusts(client: httpx.Client) -> None:
    authority = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1").configure_cert(context)
    with serving(ok_page, tls=context) as server:
        url = server.url + "/secure"
        with pytest.raises(FetchError) as caught:
            fetch_page(url, client)
    assert_one_line(caught.value, url, "TLS certificate rejected")


def test_tls_spoken_to_a_plain_http_server(newsroom: Newsroom, client: httpx.Client) -> None:
    url = newsroom.put("/plain", ARTICLE).replace("http://", "https://")
    with pytest.raises(FetchError) as caught:
        fetch_page(url, client)
    assert_one_line(caught.value, url, "TLS handshake failed")


def test_redirect_loop_is_named_with_its_hops(newsroom: Newsroom, client: httpx.Client) -> None:
    first = newsroom.put("/loop/a", "", status=302, headers={"Location": "/loop/b"})
    newsroom.put("/loop/b", "", status=301, headers={"Location": "/loop/a"})
    with pytest.raises(FetchError) as caught:
        fetch_page(first, client)
    assert_one_line(caught.value, first, f"redirect loop ({first} -> {newsroom.url('/loop/b')} -> {first})")


def test_too_many_redirects(newsroom: Newsroom, client: httpx.Client) -> None:
    for hop in range(12):
        newsroom.put(f"/chain/{hop}", "", status=302, headers={"Location": f"/chain/{hop + 1}"})
    url = newsroom.url("/chain/0")
    with pytest.raises(FetchError) as caught:
        fetch_page(url, client)
    assert_one_line(caught.value, url, "too many redirects (more than 10)")


def test_redirect_to_a_non_http_url(newsroom: Newsroom, client: httpx.Client) -> None:
    url = newsroom.put("/to-ftp", "", status=301, headers={"Location": "ftp://files.example.com/a"})
    with pytest.raises(FetchError) as caught:
        fetch_page(url, client)
    assert_one_line(caught.value, url, "redirected to ftp://files.example.com/a, which is not http(s)")


def test_empty_pdf_and_image_responses(newsroom: Newsroom, client: httpx.Client) -> None:
    cases = {
        newsroom.put("/empty", b""): "empty response body",
        newsroom.put(
            "/r.pdf", b"%PDF-1.4\n", content_type="application/pdf"
        ): "not an HTML page (application/pdf)",
        newsroom.put(
            "/i.png", b"\x89PNG\r\n\x1a\n", content_type="image/png"
        ): "not an HTML page (image/png)",
        newsroom.put(
            "/disguised", b"%PDF-1.7\n%\xe2\xe3"
        ): "not an HTML page (a PDF document, served as text/html)",
    }
    for url, cause in cases.items():
        with pytest.raises(FetchError) as caught:
            fetch_page(url, client)
        assert_one_line(caught.value, url, cause)


def test_a_declared_huge_body_is_refused_before_reading(newsroom: Newsroom, client: httpx.Client) -> None:
    url = newsroom.put("/big", b"<html>" + b"x" * 5000)
    with pytest.raises(FetchError) as caught:
        fetch_page(url, client, max_bytes=1000)
    assert_one_line(caught.value, url, "response too large (5006 bytes > 1000)")


def test_an_endless_body_is_streamed_and_cut_at_the_cap(client: httpx.Client) -> None:
    with serving(endless_body) as server:
        url = server.url + "/huge"
        with pytest.raises(FetchError) as caught:
            fetch_page(url, client, max_bytes=2 * 1024 * 1024)
        time.sleep(0.2)
        sent = server.bytes_sent
    assert_one_line(caught.value, url, "response too large (over 2097152 bytes)")
    assert sent < 50 * 1024 * 1024, f"the server got to send {sent} bytes of its 500 MB"


def test_gzip_bomb_is_cut_at_the_decoded_cap_in_bounded_memory(
    newsroom: Newsroom, client: httpx.Client
) -> None:
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = b"\0" * (1024 * 1024)
    bomb = b"".join(compressor.compress(block) for _ in range(200)) + compressor.flush()  # 200 MB
    assert len(bomb) < 1024 * 1024
    url = newsroom.put("/bomb", bomb, headers={"Content-Encoding": "gzip", "Content-Type": "text/html"})
    tracemalloc.start()
    try:
        with pytest.raises(FetchError) as caught:
            fetch_page(url, client, max_bytes=1024 * 1024)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert_one_line(caught.value, url, "response too large (over 1048576 bytes decoded)")
    assert peak < 8 * 1024 * 1024, f"peak {peak} bytes while refusing a 200 MB bomb"


def test_gzip_page_decodes_and_corrupt_gzip_is_an_error(newsroom: Newsroom, client: httpx.Client) -> None:
    good = newsroom.put("/gz", gzip.compress(ARTICLE.encode()), headers={"Content-Encoding": "gzip"})
    assert fetch_page(good, client).html == ARTICLE
    bad = newsroom.put("/badgz", b"\x1f\x8b\x08\x00garbage", headers={"Content-Encoding": "gzip"})
    with pytest.raises(FetchError) as caught:
        fetch_page(bad, client)
    assert_one_line(caught.value, bad, "corrupt compressed body")


def test_truncated_transfer_is_transient(client: httpx.Client) -> None:
    with serving(truncated_body) as server:
        url = server.url + "/cut"
        with pytest.raises(TransientFetchError) as caught:
            fetch_page(url, client)
    assert_one_line(caught.value, url, "transfer failed")


@pytest.mark.parametrize(
    ("text", "encoding", "content_type"),
    [
        (TURKISH, "cp1254", "text/html"),
        (TURKISH, "cp1254", "text/html; charset=utf-8"),
        (JAPANESE, "shift_jis", "text/html"),
        (JAPANESE, "shift_jis", "text/html; charset=iso-8859-1"),
        (JAPANESE, "shift_jis", "text/html; charset=utf-8"),
    ],
    ids=["tr-missing", "tr-wrong-utf8", "sjis-missing", "sjis-wrong-latin1", "sjis-wrong-utf8"],
)
def test_wrong_or_missing_charset_still_reads_right(
    newsroom: Newsroom, client: httpx.Client, text: str, encoding: str, content_type: str
) -> None:
    url = newsroom.put("/charset", text.encode(encoding), content_type=content_type)
    fetched = fetch_page(url, client)
    assert fetched.html == text
    article = extract_article(fetched.html, url)
    assert article.title is not None and article.title in text


def test_invalid_utf8_bytes_are_replaced_not_fatal(newsroom: Newsroom, client: httpx.Client) -> None:
    damaged = ARTICLE.replace("library", "libr\udcffary").encode("utf-8", errors="surrogateescape")
    url = newsroom.put("/damaged", damaged)
    fetched = fetch_page(url, client)
    assert "libr\ufffdary" in fetched.html and "council voted" in fetched.html
    assert extract_article(fetched.html, url).paragraphs


def test_the_matrix_through_the_pipeline(newsroom: Newsroom, client: httpx.Client, store_dir: Path) -> None:
    """Every bad URL becomes an `error` record naming it and its cause; the good ones are stored."""
    for hop in range(12):
        newsroom.put(f"/m/chain/{hop}", "", status=302, headers={"Location": f"/m/chain/{hop + 1}"})
    nested = "<html><body>" + "<div>" * 5000 + "<p>deep</p>" + "</div>" * 5000 + "</body></html>"
    with serving(trickle_body) as slow:
        cases = {
            refused_url(): "cannot connect",
            "http://no-such-newsroom.invalid/x": "DNS lookup failed",
            slow.url + "/slow": "timed out",
            newsroom.put("/m/403", "no", status=403): "HTTP 403",
            newsroom.put(
                "/m/429", "slow down", status=429, headers={"Retry-After": "3600"}
            ): "retry after 3600 s",
            newsroom.put("/m/500", "oops", status=500): "HTTP 500",
            newsroom.put("/m/404", "gone", status=404): "HTTP 404",
            newsroom.put("/m/410", "gone", status=410): "HTTP 410",
            newsroom.url("/m/chain/0"): "too many redirects",
            newsroom.put("/m/empty", b""): "empty response body",
            newsroom.put("/m/pdf", b"%PDF-1.4\n", content_type="application/pdf"): "not an HTML page",
            newsroom.put("/m/nav", "<html><body><nav><a href='/'>Home</a></nav></body></html>"): "no article",
            newsroom.put("/m/nested", nested): "no article",
            newsroom.put("/m/truncated", ARTICLE[: ARTICLE.index("<p>") + 20]): "no article",
            "ftp://example.com/article": "not an http(s) URL",
            "http://[::1/broken": "malformed URL",
            "http:///no-host": "malformed URL",
        }
        good = {
            newsroom.put("/m/ok", ARTICLE): "new",
            newsroom.put("/m/tr", TURKISH.encode("cp1254"), content_type="text/html; charset=utf-8"): "new",
            newsroom.put("/m/ja", JAPANESE.encode("shift_jis"), content_type="text/html"): "new",
        }
        with SnapshotStore(store_dir) as store:
            records = {r.url: r for r in check_urls([*cases, *good], store, client)}
    for url, cause in cases.items():
        record = records[url]
        assert record.outcome == "error", (url, record)
        assert record.error is not None and url in record.error and cause in record.error, record.error
        assert "\n" not in record.error and record.snapshot is None
    for url, outcome in good.items():
        assert records[url].outcome == outcome, records[url]
    assert len(list(store_dir.glob("*/*/*.json"))) == len(good)

"""The flow's fetch retries: transient failures are retried, Retry-After is waited out (up to a cap),
and a run full of bad URLs still checks the good one and exits 1."""

from __future__ import annotations

import json
import socket
import time
from pathlib import Path

import pytest
from servers import serving
from typer.testing import CliRunner

from articlewatch.cli import app
from articlewatch.demo.newsroom import Newsroom

ARTICLE = (
    "<html><head><title>Library stays open</title></head><body><article><h1>Library stays open</h1>"
    + "<p>The council voted on Tuesday to keep the library open for another year.</p>" * 3
    + "</article></body></html>"
)


def _respond(conn: socket.socket, status: str, headers: str, body: bytes) -> None:
    head = f"HTTP/1.1 {status}\r\n{headers}Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    conn.sendall(head.encode() + body)


@pytest.fixture(autouse=True)
def quick_politeness(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARTICLEWATCH_ROBOTS", "false")
    monkeypatch.setenv("ARTICLEWATCH_HOST_DELAY", "0")
    monkeypatch.setenv("ARTICLEWATCH_HOST_CONCURRENCY", "8")


def test_retry_after_is_honoured_and_the_retry_succeeds(prefect_server: None, store_dir: Path) -> None:
    times: list[float] = []

    def rate_limited_once(server: object, conn: socket.socket) -> None:
        times.append(time.monotonic())
        if len(times) == 1:
            _respond(
                conn, "429 Too Many Requests", "Retry-After: 3\r\nContent-Type: text/html\r\n", b"slow down"
            )
        else:
            _respond(conn, "200 OK", "Content-Type: text/html; charset=utf-8\r\n", ARTICLE.encode())

    with serving(rate_limited_once) as server:
        url = server.url + "/story"
        result = CliRunner().invoke(app, ["--store", str(store_dir), "check", "--json", url])
    [record] = [json.loads(line) for line in result.stdout.splitlines()]
    assert result.exit_code == 0 and record["outcome"] == "new", result.stdout
    assert len(times) == 2 and times[1] - times[0] >= 2.9, times  # not the 1 s the retry would wait


def test_a_run_of_bad_urls_reports_each_and_exits_1(
    prefect_server: None, newsroom: Newsroom, store_dir: Path
) -> None:
    good = newsroom.put("/good", ARTICLE)
    bad = {
        newsroom.put("/busy", "later", status=429, headers={"Retry-After": "3600"}): "retry after 3600 s",
        newsroom.put("/gone", "gone", status=410): "page gone (HTTP 410)",
        newsroom.put("/forbidden", "no", status=403): "HTTP 403 Forbidden",
        newsroom.put(
            "/image", b"\x89PNG\r\n\x1a\n", content_type="image/png"
        ): "not an HTML page (image/png)",
        "http://no-such-newsroom.invalid/story": "DNS lookup failed",
        "gopher://example.com/story": "not an http(s) URL",
    }
    result = CliRunner().invoke(app, ["--store", str(store_dir), "check", "--json", good, *bad])
    records = {record["url"]: record for record in map(json.loads, result.stdout.splitlines())}
    assert result.exit_code == 1
    assert records[good]["outcome"] == "new"
    for url, cause in bad.items():
        assert records[url]["outcome"] == "error" and cause in records[url]["error"], records[url]
        assert records[url]["error"].startswith(url) and "\n" not in records[url]["error"]
    assert newsroom.requests.count(("GET", "/busy")) == 1, "a server asking for an hour was retried"


def test_a_bad_config_value_is_one_line_naming_the_setting(
    store_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ARTICLEWATCH_TIMEOUT", "soon")
    result = CliRunner().invoke(app, ["--store", str(store_dir), "check", "https://news.example.com/a"])
    assert result.exit_code == 1
    assert (
        result.stderr.strip()
        == "error: environment: timeout: not a duration: 'soon' (use e.g. 90s, 15m, 1h, 2d)"
    )

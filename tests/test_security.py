"""Nothing let in: store paths from hashes only, page text escaped in reports, secrets never written down."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from articlewatch.cli import app, describe_record
from articlewatch.demo.newsroom import Newsroom
from articlewatch.errors import PageGoneError, one_line
from articlewatch.fetch import make_client
from articlewatch.models import Article, HttpInfo, Snapshot
from articlewatch.pipeline import check_urls
from articlewatch.redact import REDACTED, redact_text, redact_url
from articlewatch.store import SnapshotStore
from articlewatch.urls import article_key, host_dir

ARTICLE = (
    "<html><head><title>Library stays open</title></head><body><article><h1>Library stays open</h1>"
    + "<p>The council voted on Tuesday to keep the library open for another year.</p>" * 3
    + "</article></body></html>"
)


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/../../../../etc/passwd",
        "http://example.com/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "http://example.com/a/..%2f..%2f..%2fetc",
        "http://..:80/x",
        "http://evil.com%2f..%2f..%2f/x",
        "http://example.com/%00/x",
        "https://XN--BCHER-KVA.example/ü/\u202e/x",
    ],
)
def test_store_paths_come_from_hashes_never_url_text(store: SnapshotStore, url: str) -> None:
    candidate = Snapshot(
        url=url,
        key=article_key(url),
        host=host_dir(url),
        version=0,
        fetched_at="2026-11-22T08:00:00Z",
        article=Article(title="T", paragraphs=("One paragraph of text.",)),
        fingerprint="0" * 64,
        raw_sha256="1" * 64,
        raw_bytes=1,
        http=HttpInfo(200, url, "text/html"),
        extractor={"name": "x", "version": "1", "options": {}},
    )
    written = store.write_snapshot(candidate, b"x")
    path = (store.root / str(written.path)).resolve()
    assert path.is_relative_to(store.root.resolve())
    host, key, name = Path(str(written.path)).parts
    assert key == article_key(url) and len(key) == 16 and host not in ("", ".", "..")
    assert all(c.isalnum() or c in "._-" for c in host) and name.endswith(".json")


def test_secrets_in_query_strings_never_land_in_snapshots_records_or_messages(
    newsroom: Newsroom, store_dir: Path
) -> None:
    newsroom.put("/story", ARTICLE)
    secret_url = newsroom.url("/story?id=7&token=s3cr3t-t0ken&api_key=k3y-value")
    missing = newsroom.url("/gone?sig=s1gnature-value")
    with SnapshotStore(store_dir) as store, make_client(timeout=5) as client:
        records = check_urls([secret_url, missing], store, client)
    assert ("GET", "/story?id=7&token=s3cr3t-t0ken&api_key=k3y-value") in newsroom.requests  # fetched intact
    written = "".join(path.read_text(encoding="utf-8") for path in store_dir.glob("*/*/*.json"))
    shown = json.dumps([record.to_record() for record in records])
    for secret in ("s3cr3t-t0ken", "k3y-value", "s1gnature-value"):
        assert secret not in written and secret not in shown
    assert records[0].to_record()["url"].endswith(f"id=7&token={REDACTED}&api_key={REDACTED}")
    assert f"sig={REDACTED}" in str(records[1].error)


def test_redaction_rules() -> None:
    assert redact_url("https://u:pw@h.example/a?page=2&X-Amz-Signature=abc#access_token=t") == (
        f"https://u:{REDACTED}@h.example/a?page=2&X-Amz-Signature={REDACTED}#access_token={REDACTED}"
    )
    assert (
        redact_url("https://h.example/news?id=1&utm_source=x") == "https://h.example/news?id=1&utm_source=x"
    )
    error = PageGoneError("https://h.example/a?session=abc123: page gone (HTTP 404)")
    assert one_line(error) == f"https://h.example/a?session={REDACTED}: page gone (HTTP 404)"
    # str() and repr() too: Prefect logs a failed task's exception as it is, with its traceback.
    assert "abc123" not in str(error) and "abc123" not in repr(error)
    assert redact_text("GET https://h.example/a?token=x1, then https://h.example/b?id=2.") == (
        f"GET https://h.example/a?token={REDACTED}, then https://h.example/b?id=2."
    )


def test_reports_escape_page_text(newsroom: Newsroom, store_dir: Path) -> None:
    hostile = ARTICLE.replace("Library stays open", "&lt;script&gt;alert(1)&lt;/script&gt; [bold red]x[/]")
    url = newsroom.put("/story", ARTICLE)
    with SnapshotStore(store_dir) as store, make_client(timeout=5) as client:
        check_urls([url], store, client)
        newsroom.put("/story", hostile)
        [record] = check_urls([url], store, client)
    assert record.outcome == "changed"
    result = CliRunner().invoke(app, ["--store", str(store_dir), "diff", url, "--format", "html"])
    assert result.exit_code == 0
    assert "&lt;script&gt;alert(1)" in result.stdout and "<script>alert(1)" not in result.stdout
    line = describe_record(record.to_record())
    assert "\\[bold red]" in line  # rich markup in page text is shown, not obeyed
    history = CliRunner().invoke(app, ["--store", str(store_dir), "history", url])
    assert history.exit_code == 0 and "[bold red]x[/]" in history.stdout


def test_client_is_not_proxied_through_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    # make_client's own transport ignores *_PROXY variables: a proxy would be the peer the
    # address check sees, not the site.
    monkeypatch.setenv("HTTP_PROXY", "http://proxy.invalid:3128")
    with make_client(timeout=5) as client:
        assert not client._mounts  # httpx keeps the transports of proxies here

"""The only module that talks HTTP: one GET of an article page, with limits, as a FetchResult.

The httpx client is passed in, so tests and the benchmark hand in one of their own and the
pipeline shares one connection pool across all URLs of a run.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import httpx

from . import __version__
from .errors import FetchError, PageGoneError, TransientFetchError
from .models import FetchResult
from .urls import normalize_url

USER_AGENT = (
    f"articlewatch/{__version__} (news article change tracker; +https://github.com/articlewatch/articlewatch)"
)
DEFAULT_TIMEOUT_SECONDS = 20.0
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
_HTML_TYPES = ("text/html", "application/xhtml+xml", "text/plain", "")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""", re.IGNORECASE)


def utc_now() -> str:
    """The current time as an ISO 8601 UTC string with microseconds."""
    return datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def make_client(timeout: float = DEFAULT_TIMEOUT_SECONDS) -> httpx.Client:
    """An httpx client with articlewatch's User-Agent, redirects followed and bounded timeouts."""
    return httpx.Client(
        headers={"User-Agent": USER_AGENT, "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"},
        follow_redirects=True,
        max_redirects=10,
        timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
    )


def fetch_page(
    url: str,
    client: httpx.Client,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> FetchResult:
    """GET one article page; TransientFetchError, PageGoneError or FetchError on failure."""
    target = normalize_url(url)
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    fetched_at = utc_now()
    try:
        with client.stream("GET", target, headers=headers) as response:
            _raise_for_status(url, response)
            if response.status_code == 304:
                return FetchResult(
                    url=url,
                    final_url=str(response.url),
                    status=304,
                    fetched_at=fetched_at,
                    etag=response.headers.get("etag", etag),
                    last_modified=response.headers.get("last-modified", last_modified),
                    not_modified=True,
                )
            content_type = response.headers.get("content-type", "")
            media_type = content_type.split(";")[0].strip().lower()
            if media_type not in _HTML_TYPES:
                raise FetchError(f"{url}: not an HTML page ({media_type})")
            declared = response.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > max_bytes:
                raise FetchError(f"{url}: response too large ({int(declared)} bytes > {max_bytes})")
            body = _read_capped(url, response, max_bytes)
            final_url = str(response.url)
            status = response.status_code
            charset = response.charset_encoding
    except httpx.TimeoutException as exc:
        raise TransientFetchError(f"{url}: timed out ({type(exc).__name__})") from exc
    except httpx.TooManyRedirects as exc:
        raise FetchError(f"{url}: too many redirects") from exc
    except httpx.ConnectError as exc:
        raise TransientFetchError(f"{url}: cannot connect ({_reason(exc)})") from exc
    except httpx.TransportError as exc:
        raise TransientFetchError(f"{url}: transfer failed ({_reason(exc)})") from exc
    if not body.strip():
        raise FetchError(f"{url}: empty response body")
    if b"\x00" in body[:4096]:
        raise FetchError(f"{url}: binary content, not an HTML page")
    return FetchResult(
        url=url,
        final_url=final_url,
        status=status,
        fetched_at=fetched_at,
        content_type=content_type,
        body=body,
        html=decode_html(body, charset),
        etag=response.headers.get("etag"),
        last_modified=response.headers.get("last-modified"),
    )


def decode_html(body: bytes, declared_charset: str | None = None) -> str:
    """Bytes to text: the HTTP charset, else the page's <meta charset>, else UTF-8; bad bytes replaced."""
    for candidate in (declared_charset, _meta_charset(body), "utf-8"):
        if not candidate:
            continue
        try:
            return body.decode(candidate, errors="replace")
        except LookupError:  # an unknown charset name: try the next source
            continue
    return body.decode("utf-8", errors="replace")


def _meta_charset(body: bytes) -> str | None:
    match = _META_CHARSET.search(body[:4096])
    return match.group(1).decode("ascii", errors="ignore") if match else None


def _raise_for_status(url: str, response: httpx.Response) -> None:
    status = response.status_code
    if status in (404, 410):
        raise PageGoneError(f"{url}: page gone (HTTP {status})")
    if status == 429 or status >= 500:
        raise TransientFetchError(f"{url}: HTTP {status} {response.reason_phrase}".rstrip())
    if status >= 400:
        raise FetchError(f"{url}: HTTP {status} {response.reason_phrase}".rstrip())


def _read_capped(url: str, response: httpx.Response, max_bytes: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > max_bytes:
            raise FetchError(f"{url}: response too large (over {max_bytes} bytes)")
        chunks.append(chunk)
    return b"".join(chunks)


def _reason(exc: Exception) -> str:
    text = " ".join(str(exc).split())
    return text or type(exc).__name__

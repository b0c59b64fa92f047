"""One GET of an article page, with limits, as a FetchResult (revalidate.py asks the cheap
"not modified?" question first when it can).

The httpx client is passed in, so tests and the benchmark hand in one of their own and the
pipeline shares one connection pool across all URLs of a run. A client from `make_client`
enforces an overall deadline per fetch and, with block_private, the address policy on every
redirect hop (netguard.py). Every way a fetch can fail ends in one typed error whose message
names the URL and the cause in one line (errors.py).
"""

from __future__ import annotations

import socket
import ssl
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TypeVar

import httpx

from . import __version__
from .decoding import BoundedDecoder
from .errors import FetchError, PageGoneError, TransientFetchError
from .models import FetchResult
from .netguard import (
    AddressRefused,
    FetchClock,
    GuardedBackend,
    GuardedTransport,
    UnresolvableHost,
    fetch_deadline,
    record_hop,
)
from .urls import normalize_url

USER_AGENT = (
    f"articlewatch/{__version__} (news article change tracker; +https://github.com/articlewatch/articlewatch)"
)
REQUEST_HEADERS = {
    "User-Agent": USER_AGENT,
    "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5",
    # Only what fetch_page can undo with a cap on the decoded size.
    "Accept-Encoding": "gzip, deflate",
}
DEFAULT_TIMEOUT_SECONDS = 20.0
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
HTML_TYPES = ("text/html", "application/xhtml+xml", "text/plain", "")
# Feeds and sitemaps (discovery): servers label them every way there is.
FEED_TYPES = (
    "application/rss+xml",
    "application/atom+xml",
    "application/xml",
    "text/xml",
    "application/rdf+xml",
    "application/x-rss+xml",
    "application/feed+json",
    "application/json",
    *HTML_TYPES,
)
MAX_REDIRECTS = 10
_E = TypeVar("_E", bound=BaseException)
# Magic numbers of the files servers hand out instead of a page, whatever Content-Type says.
_BINARY_SIGNATURES = (
    (b"%PDF-", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"GIF8", "a GIF image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"RIFF", "a RIFF (WebP, WAV, AVI) file"),
    (b"PK\x03\x04", "a ZIP archive"),
    (b"\x1f\x8b", "gzip data"),
    (b"\x00\x00\x00", "binary data"),
)
_UNICODE_BOMS = (b"\xff\xfe", b"\xfe\xff")  # UTF-16/32 text legitimately holds NUL bytes


def utc_now() -> str:
    """The current time as an ISO 8601 UTC string with microseconds."""
    return datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def make_client(timeout: float = DEFAULT_TIMEOUT_SECONDS, *, block_private: bool = False) -> httpx.Client:
    """An httpx client for fetch_page: our User-Agent, redirects followed, `timeout` as the deadline of
    one whole fetch, and with block_private no connection to a non-public address on any hop."""
    return httpx.Client(
        headers=REQUEST_HEADERS,
        follow_redirects=True,
        max_redirects=MAX_REDIRECTS,
        timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
        transport=GuardedTransport(GuardedBackend(block_private=block_private)),
        event_hooks={"request": [record_hop]},
    )


def fetch_page(
    url: str,
    client: httpx.Client,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    accept: tuple[str, ...] = HTML_TYPES,
) -> FetchResult:
    """GET one article page; TransientFetchError, PageGoneError or FetchError on failure."""
    target = normalize_url(url)
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    fetched_at = utc_now()
    with fetch_deadline(client.timeout.read or DEFAULT_TIMEOUT_SECONDS) as clock:
        try:
            with client.stream("GET", target, headers=headers) as response:
                raise_for_status(
                    url, response.status_code, response.reason_phrase, response.headers.get("retry-after")
                )
                if response.status_code == 304:
                    # Reading the (empty) body ends the exchange, so the connection goes back to
                    # the pool: a response closed unread closes its socket, and a warm pass of
                    # 304s would open a new TCP (and TLS) connection per page.
                    response.read()
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
                refuse_unread(
                    url, content_type, response.headers.get("content-length", ""), accept, max_bytes
                )
                body = _read_capped(url, response, max_bytes, clock)
                final_url = str(response.url)
                status = response.status_code
                charset = response.charset_encoding
        except httpx.HTTPError as exc:
            raise _transport_error(url, exc, clock) from exc
        except AddressRefused as exc:
            raise FetchError(f"{url}: blocked: {exc} (block_private is on)") from exc
    return checked_page(
        FetchResult(
            url=url,
            final_url=final_url,
            status=status,
            fetched_at=fetched_at,
            content_type=content_type,
            body=body,
            charset=charset,
            etag=response.headers.get("etag"),
            last_modified=response.headers.get("last-modified"),
        )
    )


def refuse_unread(
    url: str, content_type: str, content_length: str, accept: tuple[str, ...], max_bytes: int
) -> None:
    """FetchError, before its body is read, for an answer of another media type or declared too large."""
    media_type = media_type_of(content_type)
    if media_type not in accept:
        what = "an HTML page" if accept == HTML_TYPES else "a feed, sitemap or page"
        raise FetchError(f"{url}: not {what} ({media_type})")
    declared = content_length.strip()
    if declared.isdigit() and int(declared) > max_bytes:
        raise FetchError(f"{url}: response too large ({int(declared)} bytes > {max_bytes})")


def checked_page(page: FetchResult) -> FetchResult:
    """A page read whole, as fetched; FetchError for an empty or binary body."""
    if not page.body.strip():
        raise FetchError(f"{page.url}: empty response body")
    binary = _binary_kind(page.body)
    if binary:
        media_type = media_type_of(page.content_type or "")
        raise FetchError(f"{page.url}: not an HTML page ({binary}, served as {media_type or 'no type'})")
    return page


def media_type_of(content_type: str) -> str:
    """The media type of a Content-Type value ("text/html; charset=utf-8" -> "text/html")."""
    return content_type.split(";")[0].strip().lower()


def too_large(url: str, max_bytes: int) -> FetchError:
    """The error of a body past the size cap."""
    return FetchError(f"{url}: response too large (over {max_bytes} bytes)")


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds a Retry-After header asks to wait (delta-seconds or an HTTP date), or None."""
    if not value:
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - (now or datetime.now(UTC))).total_seconds())


def raise_for_status(url: str, status: int, reason_phrase: str, retry_after: str | None) -> None:
    """The typed error of an answer's status, if it has one (a 3xx here had no Location)."""
    reason = f"HTTP {status} {reason_phrase}".rstrip()
    if status in (404, 410):
        raise PageGoneError(f"{url}: page gone (HTTP {status})")
    if status == 429 or status >= 500:
        wait = retry_after_seconds(retry_after)
        if wait is None:
            raise TransientFetchError(f"{url}: {reason}")
        raise TransientFetchError(f"{url}: {reason} (retry after {wait:.0f} s)", retry_after=wait)
    if status >= 400:
        raise FetchError(f"{url}: {reason}")
    if 300 <= status < 400 and status != 304:
        raise FetchError(f"{url}: {reason} without a Location to follow")


def _read_capped(url: str, response: httpx.Response, max_bytes: int, clock: FetchClock) -> bytes:
    # Raw (still compressed) chunks go through a decoder that stops at the decoded cap: neither
    # a huge body nor a gzip bomb is ever held whole.
    decoder = BoundedDecoder(url, response.headers.get("content-encoding", ""), max_bytes)
    chunks: list[bytes] = []
    raw_size = 0
    for chunk in response.iter_raw():
        raw_size += len(chunk)
        if raw_size > max_bytes:
            raise too_large(url, max_bytes)
        if clock.expired:  # also bounds clients that were not made by make_client
            raise TransientFetchError(f"{url}: timed out (no complete response within {clock.seconds:g} s)")
        chunks.append(decoder.feed(chunk))
    chunks.append(decoder.finish())
    return b"".join(chunks)


def _transport_error(url: str, exc: httpx.HTTPError, clock: FetchClock) -> Exception:
    """The typed error for an httpx failure: permanent when trying again cannot help."""
    if isinstance(exc, httpx.TimeoutException):
        if clock.expired:
            return TransientFetchError(f"{url}: timed out (no complete response within {clock.seconds:g} s)")
        return TransientFetchError(f"{url}: timed out ({_TIMEOUT_PHASES.get(type(exc), 'waiting')})")
    if isinstance(exc, httpx.TooManyRedirects):
        loop = _redirect_loop(clock.hops)
        if loop:
            return FetchError(f"{url}: redirect loop ({' -> '.join(loop)})")
        return FetchError(f"{url}: too many redirects (more than {MAX_REDIRECTS})")
    if isinstance(exc, httpx.UnsupportedProtocol):
        where = clock.hops[-1] if len(clock.hops) > 1 else "a URL"
        return FetchError(f"{url}: redirected to {where}, which is not http(s)")
    if isinstance(exc, httpx.InvalidURL):
        return FetchError(f"{url}: malformed URL ({_reason(exc)})")
    unresolved = _cause(exc, UnresolvableHost)
    if unresolved is not None:
        if unresolved.errno == socket.EAI_AGAIN:
            return TransientFetchError(f"{url}: DNS lookup of {unresolved.host} failed for now")
        return FetchError(f"{url}: DNS lookup failed: {unresolved.host} not found")
    certificate = _cause(exc, ssl.SSLCertVerificationError)
    if certificate is not None:
        reason = certificate.verify_message or _reason(certificate)
        return FetchError(f"{url}: TLS certificate rejected ({reason})")
    tls = _cause(exc, ssl.SSLError)
    if tls is not None:
        return FetchError(f"{url}: TLS handshake failed ({tls.reason or _reason(tls)})")
    if isinstance(exc, httpx.ConnectError):
        return TransientFetchError(f"{url}: cannot connect ({_reason(exc)})")
    if isinstance(exc, httpx.TransportError):
        return TransientFetchError(f"{url}: transfer failed ({_reason(exc)})")
    return FetchError(f"{url}: request failed ({type(exc).__name__}: {_reason(exc)})")


_TIMEOUT_PHASES: dict[type[Exception], str] = {
    httpx.ConnectTimeout: "connecting",
    httpx.ReadTimeout: "waiting for data",
    httpx.WriteTimeout: "sending the request",
    httpx.PoolTimeout: "waiting for a free connection",
}


def _redirect_loop(hops: list[str]) -> list[str] | None:
    seen: dict[str, int] = {}
    for index, hop in enumerate(hops):
        if hop in seen:
            return hops[seen[hop] : index + 1]
        seen[hop] = index
    return None


def _cause(exc: BaseException, kind: type[_E]) -> _E | None:
    """The first exception of `kind` behind exc (httpcore re-raises some `from None`: the
    original then survives only as __context__)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, kind):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def _binary_kind(body: bytes) -> str | None:
    for signature, kind in _BINARY_SIGNATURES:
        if body.startswith(signature):
            return kind
    if b"\x00" in body[:4096] and not body.startswith(_UNICODE_BOMS):
        return "binary data"
    return None


def _reason(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text or type(exc).__name__

"""A loopback web server for benchmarks: N article pages built from corpus pages, in two editions.

Runs in its own process (so serving does not compete with the measured pipeline for the GIL),
speaks HTTP/1.1 with keep-alive, answers If-None-Match with 304, and switches every page that
has a second edition to it on `GET /__edition/1`.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import re
import sys
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from multiprocessing.connection import Connection

# Each copy must be its own article: a canonical or og:url link would (rightly) join every copy
# of one corpus page into a single history.
_IDENTITY_LINKS = re.compile(
    rb"<link[^>]+rel=[\"']?canonical[^>]*>|<meta[^>]+(?:property|name)=[\"']og:url[\"'][^>]*>", re.IGNORECASE
)


# Absolute URLs as pages write them, JSON-escaped ones (JSON-LD "@id", "url") included.
_SCHEMES = (b"https://", b"http://", b"https:\\/\\/", b"http:\\/\\/")
# None of them occurs inside another, so each occurrence ends where a copy's host marker goes.
_SCHEME = re.compile(b"|".join(re.escape(scheme) for scheme in _SCHEMES))


@dataclass(frozen=True)
class ServedPage:
    """One URL's page: its first edition and, for edited pages, the second; `copy` numbers the copy
    of a corpus page that this URL serves (see copy_of)."""

    path: str
    first: bytes
    second: bytes | None = None
    copy: int = 0


def own_article(html: bytes) -> bytes:
    """The page without the links that name its original URL."""
    return _IDENTITY_LINKS.sub(b"", html)


def copy_of(html: bytes, copy: int) -> bytes:
    """Copy number `copy` of a page: every absolute URL in it moved to a host of that copy.

    A page names its own URL in many places besides the canonical link (twitter:url, amphtml,
    hreflang alternates, JSON-LD @id, <base href>), and the extractor reads it from any of them:
    copies of one corpus page that kept those would rightly be joined into one article's history.
    Moved to `c<copy>.<host>`, each copy names itself, and stays its own article.
    """
    return (b"c%d." % copy).join(copy_parts(html))


def copy_parts(html: bytes) -> list[bytes]:
    """The page cut after every URL scheme: copy n is `b"c<n>.".join(parts)`, one pass over the
    bytes instead of a replace per scheme (the page server makes a copy per request)."""
    cuts = [found.end() for found in _SCHEME.finditer(html)]
    return [html[start:end] for start, end in zip([0, *cuts], [*cuts, len(html)], strict=True)]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: a benchmark of the pipeline, not of TCP handshakes
    # http.server writes the headers and the body in two sends: with Nagle's algorithm on, the
    # body waits for the client's delayed ACK of the headers, 40 ms per page. Web servers don't.
    disable_nagle_algorithm = True

    def do_GET(self) -> None:  # noqa: N802 - name fixed by http.server
        server: _Server = self.server  # type: ignore[assignment]
        if self.path.startswith("/__edition/"):
            server.edition = int(self.path.rsplit("/", 1)[1])
            self._send(200, b"ok", None)
            return
        page = server.pages.get(self.path)
        if page is None:
            self._send(404, b"not found", None)
            return
        body = page.second if server.edition == 1 and page.second is not None else page.first
        etag = f'"{server.digest(body)}-{page.copy}"'
        if self.headers.get("If-None-Match") == etag:
            self._send(304, b"", etag)
        else:
            self._send(200, (b"c%d." % page.copy).join(server.parts(body)), etag)

    def _send(self, status: int, body: bytes, etag: str | None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        if etag:
            self.send_header("ETag", etag)
        self.end_headers()
        if status != 304:
            self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        return


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256

    def __init__(self, pages: dict[str, ServedPage]) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.pages = pages
        self.edition = 0
        self._digests: dict[int, str] = {}  # id of a (shared) corpus body -> its SHA-1
        self._parts: dict[int, list[bytes]] = {}  # id of a corpus body -> its copy_parts

    def handle_error(self, request: object, client_address: object) -> None:
        # A client closing an idle keep-alive connection is how HTTP/1.1 ends, not an error.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]

    def parts(self, body: bytes) -> list[bytes]:
        """copy_parts of a page body, cut once per body (copies share their corpus page's bytes)."""
        known = self._parts.get(id(body))
        if known is None:
            known = self._parts[id(body)] = copy_parts(body)
        return known

    def digest(self, body: bytes) -> str:
        """The SHA-1 of a page body, computed once per body (copies share their corpus page's bytes)."""
        known = self._digests.get(id(body))
        if known is None:
            known = self._digests[id(body)] = hashlib.sha1(body).hexdigest()
        return known


def _serve(pages: list[ServedPage], ready: Connection) -> None:
    server = _Server({page.path: page for page in pages})
    ready.send(server.server_address[1])
    server.serve_forever(poll_interval=0.2)


class PageServer:
    """The server process: start() returns the base URL; stop() ends it."""

    def __init__(self, pages: list[ServedPage]) -> None:
        self._pages = pages
        self._process: multiprocessing.process.BaseProcess | None = None
        self.base_url = ""

    def __enter__(self) -> PageServer:
        context = multiprocessing.get_context("spawn")
        receiver, sender = context.Pipe(duplex=False)
        self._process = context.Process(target=_serve, args=(self._pages, sender), daemon=True)
        self._process.start()
        self.base_url = f"http://127.0.0.1:{receiver.recv()}"
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._process is not None:
            self._process.terminate()
            self._process.join(timeout=5)

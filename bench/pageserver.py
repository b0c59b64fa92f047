"""A loopback web server for benchmarks: N article pages built from corpus pages, in two editions.

Runs in its own process (so serving does not compete with the measured pipeline for the GIL),
speaks HTTP/1.1 with keep-alive, answers If-None-Match with 304, and switches every page that
has a second edition to it on `GET /__edition/1`.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import re
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from multiprocessing.connection import Connection

# Each copy must be its own article: a canonical or og:url link would (rightly) join every copy
# of one corpus page into a single history.
_IDENTITY_LINKS = re.compile(
    rb"<link[^>]+rel=[\"']?canonical[^>]*>|<meta[^>]+(?:property|name)=[\"']og:url[\"'][^>]*>", re.IGNORECASE
)


@dataclass(frozen=True)
class ServedPage:
    """One URL's page: its first edition and, for edited pages, the second."""

    path: str
    first: bytes
    second: bytes | None = None


def own_article(html: bytes) -> bytes:
    """The page without the links that name its original URL."""
    return _IDENTITY_LINKS.sub(b"", html)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: a benchmark of the pipeline, not of TCP handshakes

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
        etag = '"' + hashlib.sha1(body).hexdigest() + '"'
        if self.headers.get("If-None-Match") == etag:
            self._send(304, b"", etag)
        else:
            self._send(200, body, etag)

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

"""A local news site on 127.0.0.1 that serves demo pages and arbitrary test responses."""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from urllib.parse import urlsplit

from articlewatch.demo.articles import DemoArticle
from articlewatch.demo.pages import render_page

__all__ = ["Newsroom"]

_NOT_FOUND = (
    b'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>404 Not Found'
    b"</title></head><body><h1>404 Not Found</h1><p>The page you requested does not exist "
    b"or has been removed.</p></body></html>\n"
)


@dataclass(frozen=True)
class _Response:
    """A stored response: status, body and headers (Content-Length is added when sending)."""

    status: int
    body: bytes
    headers: tuple[tuple[str, str], ...]

    def header(self, name: str) -> str | None:
        """The first value of a header, matched case-insensitively."""
        wanted = name.lower()
        return next((v for k, v in self.headers if k.lower() == wanted), None)


def _etag(body: bytes) -> str:
    """A strong validator: the quoted sha1 of the body."""
    return '"' + hashlib.sha1(body).hexdigest() + '"'


def _http_date(iso: str) -> str:
    """An ISO 8601 timestamp with offset as an RFC 9110 HTTP date (GMT)."""
    return format_datetime(datetime.fromisoformat(iso).astimezone(UTC), usegmt=True)


def _etag_matches(if_none_match: str, etag: str) -> bool:
    """Whether an If-None-Match header matches the ETag (weak comparison, as RFC 9110 says)."""
    if if_none_match.strip() == "*":
        return True
    candidates = (c.strip().removeprefix("W/") for c in if_none_match.split(","))
    return etag.removeprefix("W/") in candidates


class _Handler(BaseHTTPRequestHandler):
    """Serves the newsroom's routing table; one instance per request."""

    server: _Server
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two sends: without this, Nagle's algorithm holds the body back
    # until the client's delayed ACK (40 ms a page), as no real web server does.
    disable_nagle_algorithm = True

    def do_GET(self) -> None:  # noqa: N802 - name fixed by http.server
        """Send the response for the path, body included."""
        self._respond(send_body=True)

    def do_HEAD(self) -> None:  # noqa: N802 - name fixed by http.server
        """Send the response headers only."""
        self._respond(send_body=False)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        """Stay quiet: tests and the demo CLI own the terminal."""

    def _respond(self, send_body: bool) -> None:
        """Log the request, look the path up and send 200/304/404 (or the stored status)."""
        newsroom = self.server.newsroom
        newsroom._record(self.command, self.path)
        response = newsroom._lookup(self.path)
        if response is None:
            response = _Response(404, _NOT_FOUND, (("Content-Type", "text/html; charset=utf-8"),))
        etag = response.header("ETag")
        if_none_match = self.headers.get("If-None-Match")
        if etag and if_none_match and response.status == 200 and _etag_matches(if_none_match, etag):
            self._send(_Response(304, b"", response.headers), send_body=False)
        else:
            self._send(response, send_body)

    def _send(self, response: _Response, send_body: bool) -> None:
        """Write status, headers and (for GET) the body; close the connection afterwards."""
        self.send_response(response.status)
        for name, value in response.headers:
            # A 304 carries validators, not a description of a body it does not send.
            if response.status == 304 and name.lower() == "content-type":
                continue
            self.send_header(name, value)
        if response.status != 304:
            self.send_header("Content-Length", str(len(response.body)))
        # No keep-alive: a stopped newsroom must not go on answering on an idle connection.
        self.send_header("Connection", "close")
        self.end_headers()
        if send_body and response.status != 304:
            self.wfile.write(response.body)
        self.close_connection = True


class _Server(ThreadingHTTPServer):
    """ThreadingHTTPServer that knows its Newsroom and never blocks exit on request threads."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], newsroom: Newsroom) -> None:
        self.newsroom = newsroom
        super().__init__(address, _Handler)


class Newsroom:
    """A local news site on 127.0.0.1 serving demo pages and arbitrary test responses."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Configure the address; port 0 picks a free port when the newsroom starts."""
        self._address = (host, port)
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._routes: dict[str, _Response] = {}
        self.requests: list[tuple[str, str]] = []

    # --- lifecycle ---------------------------------------------------------------------------

    def start(self) -> Newsroom:
        """Bind the socket and serve in a background daemon thread; returns self."""
        if self._server is not None:
            raise RuntimeError("newsroom already started")
        self._server = _Server(self._address, self)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},  # so stop() returns promptly
            name="articlewatch-newsroom",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket (safe to call twice)."""
        server, thread = self._server, self._thread
        self._server, self._thread = None, None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        if thread is not None:
            thread.join(timeout=5)

    def __enter__(self) -> Newsroom:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    # --- addresses ---------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """'http://HOST:PORT' of the running newsroom."""
        if self._server is None:
            raise RuntimeError("newsroom not started")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def url(self, path: str) -> str:
        """The absolute URL of a path on this newsroom."""
        return self.base_url + (path if path.startswith("/") else "/" + path)

    # --- content -----------------------------------------------------------------------------

    def publish(self, articles: dict[str, DemoArticle]) -> dict[str, str]:
        """Render and serve each article at its path; return slug -> URL."""
        base_url = self.base_url
        urls: dict[str, str] = {}
        for slug, article in articles.items():
            body = render_page(article, base_url).encode("utf-8")
            headers = (
                ("Content-Type", "text/html; charset=utf-8"),
                ("ETag", _etag(body)),
                ("Last-Modified", _http_date(article.updated or article.published)),
                ("Cache-Control", "max-age=60"),
            )
            self._set(article.path, _Response(200, body, headers))
            urls[slug] = self.url(article.path)
        return urls

    def put(
        self,
        path: str,
        body: bytes | str,
        *,
        status: int = 200,
        content_type: str = "text/html; charset=utf-8",
        headers: dict[str, str] | None = None,
    ) -> str:
        """Serve an arbitrary response at path; return its URL."""
        data = body.encode("utf-8") if isinstance(body, str) else body
        extra = tuple((headers or {}).items())
        if any(name.lower() == "content-type" for name, _ in extra):
            all_headers = extra  # the caller's own Content-Type wins
        else:
            all_headers = (("Content-Type", content_type), *extra)
        self._set(path, _Response(status, data, all_headers))
        return self.url(path)

    def remove(self, path: str) -> None:
        """Stop serving path: later requests get 404 (no error if it was not served)."""
        with self._lock:
            self._routes.pop(_route_key(path), None)

    # --- used by the request handler -----------------------------------------------------------

    def _set(self, path: str, response: _Response) -> None:
        """Store the response for a path."""
        with self._lock:
            self._routes[_route_key(path)] = response

    def _lookup(self, request_path: str) -> _Response | None:
        """The response for a request target: exact match first, then without the query."""
        with self._lock:
            exact = self._routes.get(request_path)
            if exact is not None:
                return exact
            return self._routes.get(urlsplit(request_path).path)

    def _record(self, method: str, path: str) -> None:
        """Append to the request log."""
        with self._lock:
            self.requests.append((method, path))


def _route_key(path: str) -> str:
    """Routes are keyed by absolute path (a missing leading slash is added)."""
    return path if path.startswith("/") else "/" + path

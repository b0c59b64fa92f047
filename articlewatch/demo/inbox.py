"""A local webhook receiver on 127.0.0.1 that keeps the JSON alerts Apprise posts to it.

`json://127.0.0.1:PORT/alerts` (`AlertInbox.apprise_url`) makes Apprise post each alert here as
`{"version", "title", "message", "type", "alert_id"}`. The inbox can be stopped and started
again on the same port, to stand for a channel that is down for a while; `fail_with` makes it
answer with an error status instead of taking the alert.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

__all__ = ["AlertInbox"]


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:  # noqa: N802 - name fixed by http.server
        """Keep the posted JSON document (or answer with the status the inbox fails with)."""
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        status = self.server.inbox._receive(body, self.headers.get("Authorization"))
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        """Stay quiet: tests and the demo CLI own the terminal."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True  # start() again on the same port right after stop()
    inbox: AlertInbox


class AlertInbox:
    """A running webhook receiver; `received` holds the documents posted to it, oldest first."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host = host
        self.port = port
        self.received: list[dict[str, Any]] = []
        self.authorizations: list[str | None] = []
        self.fail_with: int | None = None
        self._lock = threading.Lock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def apprise_url(self) -> str:
        """The Apprise URL that posts JSON alerts here."""
        return f"json://{self.host}:{self.port}/alerts"

    def start(self) -> AlertInbox:
        """Listen (on the same port as before, after a stop)."""
        server = _Server((self.host, self.port), _Handler)
        server.inbox = self
        self.port = server.server_address[1]
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, name="alert-inbox", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop listening: connections are refused until start() again."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def alert_ids(self) -> list[str]:
        """The alert ids received, in order (a digest contributes all of its ids)."""
        with self._lock:
            documents = list(self.received)
        ids: list[str] = []
        for document in documents:
            ids += str(document.get("alert_id") or document.get("alert_ids") or "").split(",")
        return [alert_id for alert_id in ids if alert_id]

    def _receive(self, body: bytes, authorization: str | None) -> int:
        if self.fail_with is not None:
            return self.fail_with
        with self._lock:
            self.authorizations.append(authorization)
            self.received.append(json.loads(body.decode("utf-8")))
        return 200

    def __enter__(self) -> AlertInbox:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

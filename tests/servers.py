"""Misbehaving servers on 127.0.0.1 for the bad-input tests: each a real socket, one thread per client.

The Newsroom serves well-formed responses; these do what it cannot: trickle bytes forever,
stall, stream a body of hundreds of megabytes, speak TLS with a certificate nobody trusts.
"""

from __future__ import annotations

import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

Handler = Callable[[socket.socket], None]


class RawServer:
    """A TCP server on 127.0.0.1 that hands every connection to `handler` in its own thread."""

    def __init__(self, handler: Handler, tls: ssl.SSLContext | None = None, host: str = "127.0.0.1") -> None:
        self._handler = handler
        self._tls = tls
        self._listener = socket.create_server((host, 0))
        self._listener.settimeout(0.1)
        self._stop = threading.Event()
        self.bytes_sent = 0
        self.connections = 0
        self._thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def url(self) -> str:
        """Base URL, http or https."""
        host, port = self._listener.getsockname()[:2]
        return f"{'https' if self._tls else 'http'}://{host}:{port}"

    def __enter__(self) -> RawServer:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._listener.close()

    @property
    def stopping(self) -> bool:
        """Whether the server is shutting down (handlers that loop forever check this)."""
        return self._stop.is_set()

    def send(self, conn: socket.socket, data: bytes) -> None:
        """Send and count bytes (the counter shows how much a client read before it gave up)."""
        conn.sendall(data)
        self.bytes_sent += len(data)

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._run, args=(conn,), daemon=True).start()

    def _run(self, conn: socket.socket) -> None:
        try:
            if self._tls is not None:
                conn = self._tls.wrap_socket(conn, server_side=True)
            conn.settimeout(10)
            read_request(conn)
            self._handler(conn)
        except (OSError, ssl.SSLError):
            pass  # the client gave up: that is what these servers are for
        finally:
            conn.close()


def read_request(conn: socket.socket) -> bytes:
    """The next request head on a connection; b"" once the client closed it."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(4096)
        if not chunk:
            return b""
        data += chunk
    return data


def keep_alive_304(requests: list[bytes]) -> Callable[[RawServer, socket.socket], None]:
    """A handler answering 304 to every request of a kept-alive connection. It records all but
    the connection's first request, which RawServer reads before handing the connection over."""

    def handler(server: RawServer, conn: socket.socket) -> None:
        while True:
            server.send(conn, b'HTTP/1.1 304 Not Modified\r\nETag: "v1"\r\nContent-Length: 0\r\n\r\n')
            request = read_request(conn)
            if not request:
                return
            requests.append(request)

    return handler


@contextmanager
def serving(handler: Callable[[RawServer, socket.socket], None], **options: object) -> Iterator[RawServer]:
    """A running RawServer whose handler also receives the server (for send and stopping)."""
    holder: list[RawServer] = []
    server = RawServer(lambda conn: handler(holder[0], conn), **options)  # type: ignore[arg-type]
    holder.append(server)
    with server:
        yield server


def trickle_body(server: RawServer, conn: socket.socket) -> None:
    """Headers at once, then one byte of body every 50 ms, for ever (no length: it never ends)."""
    server.send(conn, b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nConnection: close\r\n\r\n<html>")
    while not server.stopping:
        server.send(conn, b"x")
        time.sleep(0.05)


def trickle_headers(server: RawServer, conn: socket.socket) -> None:
    """The status line and then one header byte every 50 ms, for ever."""
    server.send(conn, b"HTTP/1.1 200 OK\r\nX-Slow: ")
    while not server.stopping:
        server.send(conn, b"a")
        time.sleep(0.05)


def silent(server: RawServer, conn: socket.socket) -> None:
    """Accept, read the request, answer nothing."""
    while not server.stopping:
        time.sleep(0.05)


def endless_body(server: RawServer, conn: socket.socket) -> None:
    """A 200 text/html body with no length that goes on for 500 MB (or until the client leaves)."""
    server.send(conn, b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nConnection: close\r\n\r\n")
    block = b"<p>" + b"x" * (64 * 1024 - 7) + b"</p>\n"
    for _ in range(500 * 1024 * 1024 // len(block)):
        if server.stopping:
            return
        server.send(conn, block)


def truncated_body(server: RawServer, conn: socket.socket) -> None:
    """Content-Length promises 10000 bytes; 20 arrive, then the connection closes."""
    head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 10000\r\n\r\n"
    server.send(conn, head + b"<html><body><p>cut")


def ok_page(server: RawServer, conn: socket.socket) -> None:
    """A small valid page (for the TLS server)."""
    body = b"<html><body><p>secure</p></body></html>"
    head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n" % len(body)
    server.send(conn, head + body)

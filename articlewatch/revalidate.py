"""The cheap question of a warm pass: "has this page changed since the validators we hold?"

A warm pass is mostly 304 Not Modified answers. Through httpx each costs about 1 ms of CPU (its
URL and header models, its pool's lock and a scan of every idle connection per request), most of
an unchanged check. http.client on a kept-alive connection asks the same question for a fifth of
that. Only a 304 is taken from here: any other answer (a changed page, a redirect, an error
status) or failure returns None and the caller fetches the page with fetch.fetch_page, which
handles all of those; the unread answer's connection is dropped. The one failure answered here is
the deadline, so a stalled host is not waited for twice.

Connections obey fetch_page's address policy (netguard.checked_addresses: the address checked
is the address connected to), and one deadline bounds each exchange's every send and receive.
"""

from __future__ import annotations

import http.client
import io
import socket
import threading
import time
import weakref
from urllib.parse import urlsplit

from .errors import TransientFetchError
from .fetch import REQUEST_HEADERS, utc_now
from .models import FetchResult
from .netguard import AddressRefused, UnresolvableHost, checked_addresses, trust_context
from .store import FetchMemo
from .urls import normalize_url

Origin = tuple[str, str, int]  # scheme, host, port
# Idle connections kept per origin: about the fetch threads that may ask one host at once.
MAX_IDLE_PER_ORIGIN = 32
_DEFAULT_PORTS = {"http": 80, "https": 443}
# Failures after which fetch_page, asked next, says precisely what went wrong.
_FALL_BACK = (OSError, http.client.HTTPException, ValueError, AddressRefused, UnresolvableHost)


class _DeadlineSocket:
    """A connected socket whose every send and receive ends by the current exchange's deadline
    (a server trickling a byte at a time cannot stretch an exchange beyond it)."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self.deadline = float("inf")

    def _arm(self) -> None:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("deadline passed")
        self._sock.settimeout(left)

    def sendall(self, data: bytes) -> None:
        """Send all of data by the deadline."""
        self._arm()
        self._sock.sendall(data)

    def recv_into(self, buffer: memoryview, nbytes: int = 0) -> int:
        """Receive into buffer by the deadline."""
        self._arm()
        return self._sock.recv_into(buffer, nbytes)

    def makefile(self, mode: str) -> io.BufferedReader:
        """The buffered reader http.client parses a response from."""
        return io.BufferedReader(socket.SocketIO(self, "rb"))  # type: ignore[arg-type]

    def _decref_socketios(self) -> None:
        return None  # SocketIO.close calls it; the connection owns the socket

    def close(self) -> None:
        """Close the socket."""
        self._sock.close()


class Revalidator:
    """Conditional GETs on connections kept alive across the URLs of a run, per origin."""

    def __init__(self, timeout: float, block_private: bool = False) -> None:
        self._timeout = timeout
        self._block_private = block_private
        self._idle: dict[Origin, list[http.client.HTTPConnection]] = {}
        self._lock = threading.Lock()
        weakref.finalize(self, _close_all, self._idle)

    def not_modified(self, url: str, memo: FetchMemo) -> FetchResult | None:
        """A 304 FetchResult when the server says the page has not changed since memo's validators;
        None for any other answer (fetch it in full). TransientFetchError when time runs out."""
        if not (memo.etag or memo.last_modified):
            return None
        target = normalize_url(url)
        parts = urlsplit(target)
        if parts.scheme not in _DEFAULT_PORTS or not parts.hostname:
            return None
        origin = (parts.scheme, parts.hostname, parts.port or _DEFAULT_PORTS[parts.scheme])
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        headers = dict(REQUEST_HEADERS)
        if memo.etag:
            headers["If-None-Match"] = memo.etag
        if memo.last_modified:
            headers["If-Modified-Since"] = memo.last_modified
        fetched_at = utc_now()
        deadline = time.monotonic() + self._timeout
        for attempt in range(2):
            connection, reused = self._checkout(origin)
            try:
                self._arm(connection, deadline)
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                if response.status != 304:
                    connection.close()
                    return None
                response.read()  # nothing: ends the exchange so the connection can be reused
            except TimeoutError as exc:
                connection.close()
                if time.monotonic() >= deadline:
                    reason = f"no complete response within {self._timeout:g} s"
                else:
                    reason = "connecting"
                raise TransientFetchError(f"{url}: timed out ({reason})") from exc
            except _FALL_BACK:
                connection.close()
                if reused and attempt == 0:
                    continue  # the server closed the idle connection: once more on a new one
                return None
            self._checkin(origin, connection, response.will_close)
            return FetchResult(
                url=url,
                final_url=target,
                status=304,
                fetched_at=fetched_at,
                etag=response.getheader("etag", memo.etag),
                last_modified=response.getheader("last-modified", memo.last_modified),
                not_modified=True,
            )
        return None

    def close(self) -> None:
        """Close every idle connection."""
        _close_all(self._idle)

    def _checkout(self, origin: Origin) -> tuple[http.client.HTTPConnection, bool]:
        with self._lock:
            idle = self._idle.get(origin)
            if idle:
                return idle.pop(), True
        scheme, host, port = origin
        if scheme == "https":
            return http.client.HTTPSConnection(host, port, context=trust_context()), False
        return http.client.HTTPConnection(host, port), False

    def _checkin(self, origin: Origin, connection: http.client.HTTPConnection, will_close: bool) -> None:
        if will_close:
            connection.close()
            return
        with self._lock:
            idle = self._idle.setdefault(origin, [])
            if len(idle) < MAX_IDLE_PER_ORIGIN:
                idle.append(connection)
                return
        connection.close()

    def _arm(self, connection: http.client.HTTPConnection, deadline: float) -> None:
        if connection.sock is None:
            self._connect(connection, deadline)
        sock = connection.sock
        assert isinstance(sock, _DeadlineSocket)  # every connection is made by _connect
        sock.deadline = deadline

    def _connect(self, connection: http.client.HTTPConnection, deadline: float) -> None:
        block_private = self._block_private

        def checked_connection(
            address: tuple[str, int], timeout: float | None, source: object = None
        ) -> socket.socket:
            host, port = address
            last_error: OSError | None = None
            for checked in checked_addresses(host, port, block_private):  # the address checked
                try:
                    return socket.create_connection((checked, port), timeout)
                except TimeoutError:
                    raise
                except OSError as exc:
                    last_error = exc
            assert last_error is not None  # checked_addresses never returns an empty list
            raise last_error

        # http.client resolves and connects through this attribute; TLS (SNI, certificate
        # check) still uses the host name.
        connection._create_connection = checked_connection  # type: ignore[attr-defined]
        # Connecting may take 10 s at most (fetch_page's limit), and never beyond the deadline.
        connection.timeout = max(0.001, min(10.0, deadline - time.monotonic()))
        connection.connect()
        connection.sock = _DeadlineSocket(connection.sock)  # type: ignore[assignment]


def _close_all(idle: dict[Origin, list[http.client.HTTPConnection]]) -> None:
    for connections in list(idle.values()):
        while connections:
            connections.pop().close()

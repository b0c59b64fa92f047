"""A run's GETs of plain answers on kept-alive connections: a warm pass's "has this page changed
since the validators we hold?", and a cold pass's first fetch of a page.

Through httpx a GET costs about 1 ms of CPU (its URL and header models, its pool's lock and a scan
of every idle connection per request): most of an unchanged check, and a fifth of what a new
page costs the run's process besides its extraction. http.client on a kept-alive connection asks
for a fifth of that. Only the plain answers are taken from here: a 304 to a conditional GET, and a
200 with an HTML body read whole within fetch_page's limits, as the same FetchResult fetch_page
makes of it. Any other answer (a redirect, an error status, another media type, a declared size
over the cap) or failure returns None and the caller fetches the page with fetch.fetch_page, which
handles all of those; the unread answer's connection is dropped. The failures answered here are
the ones fetch_page would answer the same way with the same words: the deadline (so a stalled host
is not waited for twice), and a body it refuses (too large, an unsupported encoding, empty, binary).
With a proxy configured in the environment (httpx follows it) nothing is fetched here.

Connections obey fetch_page's address policy (netguard.checked_addresses: the address checked
is the address connected to), and one deadline bounds each exchange's every send and receive.
"""

from __future__ import annotations

import http.client
import io
import socket
import threading
import time
import urllib.request
import weakref

import httpx

from .decoding import BoundedDecoder
from .errors import FetchError, TransientFetchError
from .fetch import (
    DEFAULT_MAX_BYTES,
    HTML_TYPES,
    REQUEST_HEADERS,
    checked_page,
    raise_for_status,
    refuse_unread,
    too_large,
    utc_now,
)
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
_READ_BYTES = 64 * 1024  # a body is read in pieces of this size, each through the size cap
# Answered here as fetch_page answers them: a page, or the error of an error status. Any other
# (a redirect, another 2xx, a 304 to no question) is left to fetch_page.
_TAKEN_STATUSES = frozenset({200, *range(400, 600)})


class _DeadlineSocket:
    """A connected socket whose every send and receive ends by the current exchange's deadline
    (a server trickling a byte at a time cannot stretch an exchange beyond it)."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self.deadline = float("inf")
        # As socket.socket does: a response still being read keeps the socket open after the
        # connection lets go of it (http.client closes its side at once on "Connection: close").
        self._readers = 0
        self._closing = False

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
        self._readers += 1
        return io.BufferedReader(socket.SocketIO(self, "rb"))  # type: ignore[arg-type]

    def _decref_socketios(self) -> None:
        # SocketIO.close calls it: the last reader of a closed connection closes the socket
        self._readers -= 1
        if self._closing and self._readers <= 0:
            self._sock.close()

    def close(self) -> None:
        """Close the socket once no response is being read from it."""
        self._closing = True
        if self._readers <= 0:
            self._sock.close()


class Revalidator:
    """Plain and conditional GETs on connections kept alive across the URLs of a run, per origin."""

    def __init__(self, timeout: float, block_private: bool = False) -> None:
        self._timeout = timeout
        self._block_private = block_private
        self._idle: dict[Origin, list[http.client.HTTPConnection]] = {}
        self._lock = threading.Lock()
        # httpx sends through a proxy the environment names (HTTP_PROXY, ...); this would not.
        self._proxied = any(scheme in urllib.request.getproxies() for scheme in ("http", "https", "all"))
        weakref.finalize(self, _close_all, self._idle)

    def fetch(self, url: str, memo: FetchMemo | None = None) -> FetchResult | None:
        """The page as fetch_page would return it when the answer is plain: a 304 to the conditional
        GET memo's validators make, or a 200 with an HTML body; None for any other answer (fetch it
        with fetch_page). TransientFetchError when time runs out, FetchError for a refused body."""
        if self._proxied:
            return None
        target = normalize_url(url)
        try:
            # The request as httpx would send it: the same host (IDNA-encoded), port and path.
            parsed = httpx.URL(target)
            host = parsed.raw_host.decode("ascii")
            path = parsed.raw_path.decode("ascii")
        except (httpx.InvalidURL, UnicodeDecodeError):
            return None
        if parsed.scheme not in _DEFAULT_PORTS or not host:
            return None
        origin = (parsed.scheme, host, parsed.port or _DEFAULT_PORTS[parsed.scheme])
        headers = dict(REQUEST_HEADERS)
        conditional = memo is not None and bool(memo.etag or memo.last_modified)
        if memo is not None and memo.etag:
            headers["If-None-Match"] = memo.etag
        if memo is not None and memo.last_modified:
            headers["If-Modified-Since"] = memo.last_modified
        fetched_at = utc_now()
        deadline = time.monotonic() + self._timeout
        for attempt in range(2):
            connection, reused = self._checkout(origin)
            response: http.client.HTTPResponse | None = None
            try:
                self._arm(connection, deadline)
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                if response.status == 304 and conditional and memo is not None:
                    response.read()  # nothing: ends the exchange so the connection can be reused
                    result: FetchResult | None = FetchResult(
                        url=url,
                        final_url=str(parsed),
                        status=304,
                        fetched_at=fetched_at,
                        etag=response.getheader("etag", memo.etag),
                        last_modified=response.getheader("last-modified", memo.last_modified),
                        not_modified=True,
                    )
                elif 300 <= response.status < 400 or response.status not in _TAKEN_STATUSES:
                    result = None  # a redirect (fetch_page follows it, hop by hop) or an odd one
                else:
                    # What fetch_page would answer, from this one request: the same error for an
                    # error status (a 429's Retry-After honoured, not asked again), or the page.
                    raise_for_status(
                        url, response.status, _reason(response), response.getheader("retry-after")
                    )
                    result = _whole_page(url, str(parsed), fetched_at, response)
            except TimeoutError as exc:
                _drop(connection, response)
                if time.monotonic() >= deadline:
                    reason = f"no complete response within {self._timeout:g} s"
                else:
                    reason = "connecting"
                raise TransientFetchError(f"{url}: timed out ({reason})") from exc
            except (FetchError, TransientFetchError):
                _drop(connection, response)
                raise
            except _FALL_BACK:
                _drop(connection, response)
                if reused and attempt == 0:
                    continue  # the server closed the idle connection: once more on a new one
                return None
            if result is None or response is None:
                _drop(connection, response)  # an answer left unread: its connection cannot be reused
                return None
            self._checkin(origin, connection, response.will_close)
            return result
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


def _whole_page(url: str, final_url: str, fetched_at: str, response: http.client.HTTPResponse) -> FetchResult:
    """A 200's FetchResult as fetch_page makes it, body read whole within its cap; FetchError
    where fetch_page refuses the page (another media type, too large, empty, binary)."""
    content_type = response.getheader("content-type")
    refuse_unread(
        url, content_type or "", response.getheader("content-length") or "", HTML_TYPES, DEFAULT_MAX_BYTES
    )
    # Raw (still compressed) pieces through the same cap and decoder as fetch_page's.
    decoder = BoundedDecoder(url, response.getheader("content-encoding") or "", DEFAULT_MAX_BYTES)
    chunks: list[bytes] = []
    raw_size = 0
    while chunk := response.read(_READ_BYTES):
        raw_size += len(chunk)
        if raw_size > DEFAULT_MAX_BYTES:
            raise too_large(url, DEFAULT_MAX_BYTES)
        chunks.append(decoder.feed(chunk))
    chunks.append(decoder.finish())
    return checked_page(
        FetchResult(
            url=url,
            final_url=final_url,
            status=200,
            fetched_at=fetched_at,
            content_type=content_type or "",
            body=b"".join(chunks),
            charset=None if content_type is None else _charset(content_type),
            etag=response.getheader("etag"),
            last_modified=response.getheader("last-modified"),
        )
    )


def _drop(connection: http.client.HTTPConnection, response: http.client.HTTPResponse | None) -> None:
    """Close a connection, and the answer being read from it: its socket closes with the last."""
    if response is not None:
        response.close()
    connection.close()


def _reason(response: http.client.HTTPResponse) -> str:
    # httpx's reason phrase: the server's, in ASCII, else the standard one for the status
    given = response.reason.encode("latin-1", errors="ignore").decode("ascii", errors="ignore")
    return given or httpx.codes.get_reason_phrase(response.status)


def _charset(content_type: str) -> str | None:
    # httpx's reading of the charset parameter, so that both ways give the same answer
    return httpx.Response(200, headers={"content-type": content_type}).charset_encoding


def _close_all(idle: dict[Origin, list[http.client.HTTPConnection]]) -> None:
    for connections in list(idle.values()):
        while connections:
            connections.pop().close()

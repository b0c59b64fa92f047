"""Where a fetch may connect and how long it may take, enforced at the socket for every hop.

`GuardedTransport` is httpx's own transport with one change: its connections come from
`GuardedBackend`, which
- resolves the host itself and, when private addresses are blocked, refuses a host any of whose
  addresses is loopback, private, link-local (cloud metadata at 169.254.169.254 included),
  multicast or otherwise not globally routable; it then connects to the address it checked, so a
  second DNS answer cannot slip a private address in (DNS rebinding). Redirects open their
  connections here too, so every hop is checked;
- clamps every connect, TLS handshake, read and write to what is left of the fetch's overall
  deadline (`fetch_deadline`), so a server that trickles a byte a second cannot hold a fetch
  forever, although each single read is quick.

Names under `.invalid` (RFC 6761) are answered "not found" here without asking a resolver.
"""

from __future__ import annotations

import functools
import ipaddress
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpcore
import httpx

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
_fetch_state = threading.local()


class AddressRefused(Exception):
    """A connection was refused because the host resolves to an address that is not public."""

    def __init__(self, host: str, address: str) -> None:
        super().__init__(f"{host} resolves to {address}, a private address")
        self.host = host
        self.address = address


class UnresolvableHost(httpcore.ConnectError):
    """DNS gave no address for a host; `errno` is the resolver's (EAI_NONAME, EAI_AGAIN, ...)."""

    def __init__(self, host: str, errno: int, reason: str) -> None:
        super().__init__(f"{host}: {reason}")
        self.host = host
        self.errno = errno


@dataclass
class FetchClock:
    """The deadline of the fetch running on this thread and the URLs it requested so far."""

    seconds: float
    deadline: float
    hops: list[str] = field(default_factory=list)

    @property
    def expired(self) -> bool:
        """Whether the deadline has passed."""
        return time.monotonic() >= self.deadline


@contextmanager
def fetch_deadline(seconds: float) -> Iterator[FetchClock]:
    """Every socket operation of this thread's requests inside the block shares one deadline."""
    clock = FetchClock(seconds=seconds, deadline=time.monotonic() + seconds)
    previous = getattr(_fetch_state, "clock", None)
    _fetch_state.clock = clock
    try:
        yield clock
    finally:
        _fetch_state.clock = previous


def record_hop(request: httpx.Request) -> None:
    """httpx request hook: remember each URL a fetch requests (redirect loops are named with them)."""
    clock: FetchClock | None = getattr(_fetch_state, "clock", None)
    if clock is not None:
        clock.hops.append(str(request.url))


def is_public(address: IPAddress) -> bool:
    """Whether an address is globally routable unicast (not loopback, private, link-local, ...)."""
    if isinstance(address, ipaddress.IPv6Address):
        mapped = address.ipv4_mapped or address.sixtofour
        if mapped is not None:
            return is_public(mapped)
    return address.is_global and not address.is_multicast


def _remaining(timeout: float | None, exc_type: type[Exception]) -> float | None:
    clock: FetchClock | None = getattr(_fetch_state, "clock", None)
    if clock is None:
        return timeout
    left = clock.deadline - time.monotonic()
    if left <= 0:
        raise exc_type(f"no complete response within {clock.seconds:g} s")
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    """A connection whose every operation ends by the current fetch's deadline."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _remaining(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _remaining(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        remaining = _remaining(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._inner.start_tls(ssl_context, server_hostname, remaining))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class GuardedBackend(httpcore.NetworkBackend):
    """httpcore's sync backend, with our own resolution, the address check and the deadline."""

    def __init__(self, block_private: bool, allowed: Callable[[IPAddress], bool] = is_public) -> None:
        self.block_private = block_private
        self._allowed = allowed
        self._inner = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        addresses = checked_addresses(host, port, self.block_private, self._allowed)
        last_error: Exception | None = None
        for address in addresses:  # connect to the very address that was checked
            try:
                stream = self._inner.connect_tcp(
                    address,
                    port,
                    timeout=_remaining(timeout, httpcore.ConnectTimeout),
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last_error = exc
                continue
            return _DeadlineStream(stream)
        assert last_error is not None  # _resolve never returns an empty list
        raise last_error

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("unix sockets are not used for fetching")

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


def checked_addresses(
    host: str, port: int, block_private: bool, allowed: Callable[[IPAddress], bool] = is_public
) -> list[str]:
    """The addresses to connect to for a host, resolved once; AddressRefused when block_private
    is on and any of them is not public, UnresolvableHost when there are none."""
    addresses = _resolve(host, port)
    if block_private:
        for address in addresses:
            if not allowed(ipaddress.ip_address(address)):
                raise AddressRefused(host, address)
    return addresses


def _resolve(host: str, port: int) -> list[str]:
    name = host.strip("[]").rstrip(".").lower()
    if name == "invalid" or name.endswith(".invalid"):
        raise UnresolvableHost(name, socket.EAI_NONAME, "Name or service not known")
    try:
        infos = socket.getaddrinfo(name, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise UnresolvableHost(name, exc.errno or socket.EAI_NONAME, exc.strerror or str(exc)) from exc
    except UnicodeError as exc:
        raise UnresolvableHost(name, socket.EAI_NONAME, f"not a valid host name ({exc})") from exc
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    if not addresses:
        raise UnresolvableHost(name, socket.EAI_NONAME, "no address")
    return addresses


@functools.cache
def trust_context() -> ssl.SSLContext:
    """The process's TLS context (httpx's defaults: certifi's trust store), built once.

    Building one reads and parses the whole CA bundle: ~40 ms, paid by every client and
    revalidator a run makes when each builds its own. An SSLContext is safe to share between
    threads and connections.
    """
    return httpx.create_ssl_context()


class GuardedTransport(httpx.HTTPTransport):
    """httpx.HTTPTransport whose connections come from a GuardedBackend."""

    def __init__(self, backend: GuardedBackend, limits: httpx.Limits | None = None) -> None:
        limits = limits or httpx.Limits()
        super().__init__(verify=trust_context(), limits=limits)
        # httpx 0.28 has no parameter for the network backend; its pool is rebuilt with ours,
        # the same arguments HTTPTransport gives it (httpx is pinned <0.29 for this).
        self._pool = httpcore.ConnectionPool(
            ssl_context=trust_context(),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=backend,
        )

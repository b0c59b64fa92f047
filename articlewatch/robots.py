"""robots.txt, honoured by default: each host's file is read once per run and asked before every fetch.

What a robots.txt answer means follows RFC 9309: a 2xx body is parsed (with protego, which
knows wildcards and longest-match precedence); a 4xx means "no rules" (allow all); a 5xx, a
429 or no answer at all means the site cannot say, so nothing is fetched from it this run (a
retryable error: the next run asks again). A Crawl-delay for articlewatch slows that host down,
up to MAX_CRAWL_DELAY_SECONDS.

robots.txt is the one request made outside fetch.py: it is not an article page, and its
status codes mean something else.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx
from protego import Protego

from .errors import RobotsDisallowedError, TransientFetchError
from .politeness import HostGate, host_of
from .urls import normalize_url

# The product token robots.txt groups are matched against (RFC 9309 section 2.2.1).
ROBOTS_AGENT = "articlewatch"
# Google reads the first 500 KiB of a robots.txt and ignores the rest: so do we.
MAX_ROBOTS_BYTES = 500 * 1024
# A site asking for more than a minute between requests would stall a whole run.
MAX_CRAWL_DELAY_SECONDS = 60.0
_ROBOTS_HEADERS = {"Accept": "text/plain,*/*;q=0.5"}


@dataclass(frozen=True)
class _HostRules:
    """What one host's robots.txt said: rules (None: allow all), or why it could not be read."""

    robots_url: str
    rules: Protego | None = None
    unreachable: str | None = None


class RobotsCache:
    """robots.txt rules per host for one run, fetched on first use through the run's HostGate."""

    def __init__(self, client: httpx.Client, gate: HostGate) -> None:
        self._client = client
        self._gate = gate
        self._lock = threading.Lock()
        self._host_locks: dict[str, threading.Lock] = {}
        self._hosts: dict[str, _HostRules] = {}

    def check(self, url: str) -> None:
        """Pass when robots.txt allows `url`; else RobotsDisallowedError (TransientFetchError: unreadable)."""
        target = normalize_url(url)
        host_rules = self._rules_for(target)
        if host_rules.unreachable:
            raise TransientFetchError(f"{url}: robots.txt unreachable ({host_rules.unreachable})")
        if host_rules.rules is not None and not host_rules.rules.can_fetch(target, ROBOTS_AGENT):
            raise RobotsDisallowedError(f"{url}: disallowed for articlewatch by {host_rules.robots_url}")

    def _rules_for(self, target: str) -> _HostRules:
        host = host_of(target)
        with self._lock:
            host_lock = self._host_locks.setdefault(host, threading.Lock())
        with host_lock:  # one fetch per host, however many threads ask at once
            if host not in self._hosts:
                host_rules = self._fetch(robots_url_for(target))
                if host_rules.rules is not None:
                    delay = host_rules.rules.crawl_delay(ROBOTS_AGENT)
                    if delay:
                        self._gate.slow_down(host, min(float(delay), MAX_CRAWL_DELAY_SECONDS))
                self._hosts[host] = host_rules
            return self._hosts[host]

    def _fetch(self, robots_url: str) -> _HostRules:
        try:
            with (
                self._gate.request(robots_url),
                self._client.stream("GET", robots_url, headers=_ROBOTS_HEADERS) as response,
            ):
                status = response.status_code
                if status == 429 or status >= 500:
                    return _HostRules(robots_url, unreachable=f"{robots_url}: HTTP {status}")
                if status >= 400:
                    return _HostRules(robots_url)  # no robots.txt: no rules
                body = _read_prefix(response, MAX_ROBOTS_BYTES)
        except httpx.HTTPError as exc:
            reason = " ".join(str(exc).split()) or type(exc).__name__
            return _HostRules(robots_url, unreachable=f"{robots_url}: {reason}")
        text = body.decode("utf-8", errors="replace")
        return _HostRules(robots_url, rules=Protego.parse(text))


def robots_url_for(url: str) -> str:
    """The robots.txt that governs a URL: /robots.txt at its scheme, host and port."""
    parts = urlsplit(normalize_url(url))
    return f"{parts.scheme}://{parts.netloc}/robots.txt"


def _read_prefix(response: httpx.Response, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        chunks.append(chunk)
        size += len(chunk)
        if size >= limit:
            break
    return b"".join(chunks)[:limit]

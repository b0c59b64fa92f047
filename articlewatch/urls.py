"""URL checks and the stable keys that name an article in the store."""

from __future__ import annotations

import hashlib
import re
from urllib.parse import urlsplit, urlunsplit

from .errors import FetchError

_UNSAFE_HOST_CHARS = re.compile(r"[^a-z0-9.\-]")


def normalize_url(url: str) -> str:
    """The URL with scheme and host lower-cased and the fragment dropped; FetchError if not http(s)."""
    text = url.strip()
    try:
        parts = urlsplit(text)
        port = parts.port  # raises ValueError on a malformed port
    except ValueError as exc:
        raise FetchError(f"{url}: malformed URL ({exc})") from exc
    if parts.scheme.lower() not in ("http", "https"):
        raise FetchError(f"{url}: not an http(s) URL")
    if not parts.hostname:
        raise FetchError(f"{url}: malformed URL (no host)")
    netloc = parts.hostname.lower()
    if ":" in netloc:  # IPv6 literal
        netloc = f"[{netloc}]"
    if port is not None:
        netloc = f"{netloc}:{port}"
    return urlunsplit((parts.scheme.lower(), netloc, parts.path or "/", parts.query, ""))


def article_key(url: str) -> str:
    """A short hash of the normalized URL: store paths never contain raw URL text."""
    return hashlib.sha256(normalize_url(url).encode("utf-8")).hexdigest()[:16]


def host_dir(url: str) -> str:
    """The host part of the store path: the hostname (and port) reduced to safe characters."""
    parts = urlsplit(normalize_url(url))
    host = (parts.hostname or "unknown").lower()
    if parts.port is not None:
        host = f"{host}_{parts.port}"
    host = _UNSAFE_HOST_CHARS.sub("_", host).strip(".") or "unknown"
    return host

"""URL checks, the identity of an article's URL, and the stable keys that name it in the store.

Two levels:
- `normalize_url` validates and tidies a URL for fetching: scheme and host lower-cased,
  fragment dropped. The page is fetched at exactly this URL.
- `identity_url` is what makes two URLs the same article: tracking parameters (utm_*, fbclid,
  gclid, ...) removed by courlan, AMP variants (`/amp/`, `.amp.html`, `?amp=1`, `amp.` hosts)
  mapped to the plain page, and a trailing slash dropped. `article_key` hashes it.
"""

from __future__ import annotations

import functools
import hashlib
import re
from urllib.parse import urlsplit, urlunsplit

import courlan

from .errors import FetchError

_UNSAFE_HOST_CHARS = re.compile(r"[^a-z0-9.\-]")
_AMP_PATH_SEGMENT = re.compile(r"/amp(?=/|$)", re.IGNORECASE)
_AMP_SUFFIX = re.compile(r"[./]amp(\.html?)?$", re.IGNORECASE)
_SPACE = re.compile(r"\s")
# A check asks for the same URL's forms several times (fetch, store paths, identity); the
# functions are pure, and a cache makes the repeats free (a warm pass is mostly such repeats).
_CACHED_URLS = 1 << 16


@functools.lru_cache(maxsize=_CACHED_URLS)
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
    if not parts.hostname or _SPACE.search(text):
        raise FetchError(f"{url}: malformed URL (no host)" if not parts.hostname else f"{url}: malformed URL")
    netloc = parts.hostname.lower()
    if ":" in netloc:  # IPv6 literal
        netloc = f"[{netloc}]"
    if port is not None:
        netloc = f"{netloc}:{port}"
    return urlunsplit((parts.scheme.lower(), netloc, parts.path or "/", parts.query, ""))


@functools.lru_cache(maxsize=_CACHED_URLS)
def identity_url(url: str) -> str:
    """The URL that names the article: tracking parameters and AMP variants removed."""
    normalized = normalize_url(url)
    try:
        cleaned = courlan.normalize_url(normalized, strict=True)
    except (ValueError, AttributeError):  # courlan gives up on exotic URLs: keep ours
        cleaned = normalized
    parts = urlsplit(cleaned)
    host = parts.netloc[4:] if parts.netloc.startswith("amp.") else parts.netloc
    path = _AMP_PATH_SEGMENT.sub("", parts.path)
    path = _AMP_SUFFIX.sub(lambda m: m.group(1) or "", path)
    # "/story" and "/story/" are one article on every news site worth watching.
    path = path.rstrip("/") or "/"
    return urlunsplit((parts.scheme, host, path, parts.query, ""))


@functools.lru_cache(maxsize=_CACHED_URLS)
def article_key(url: str) -> str:
    """A short hash of the identity URL: store paths never contain raw URL text."""
    return hashlib.sha256(identity_url(url).encode("utf-8")).hexdigest()[:16]


def host_dir(url: str) -> str:
    """The host part of the store path: the hostname (and port) reduced to safe characters."""
    parts = urlsplit(identity_url(url))
    host = (parts.hostname or "unknown").lower()
    if parts.port is not None:
        host = f"{host}_{parts.port}"
    host = _UNSAFE_HOST_CHARS.sub("_", host).strip(".") or "unknown"
    return host

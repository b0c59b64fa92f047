"""One article, one history: which stored history a fetched page continues.

A URL's history is its own key unless the page says it is another article we already track:
its redirect target or its canonical / og:url link resolves to a history with versions. Then
the URL joins that history (a changed slug, a redirect, an AMP or syndicated copy), and every
URL the page answers to is recorded as an alias so that discovering it later finds the same
article instead of starting a new one.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from .errors import FetchError
from .store import SnapshotStore
from .urls import article_key, identity_url


def page_urls(final_url: str, canonical_url: str | None) -> list[str]:
    """The http(s) URLs a fetched page answers to: where the fetch ended and its canonical link."""
    urls = []
    for candidate in (canonical_url, final_url):
        if not candidate:
            continue
        try:
            identity = identity_url(candidate)
        except FetchError:  # a canonical like "/path" or "javascript:" names nothing we can track
            continue
        if candidate is canonical_url and candidate != final_url and _is_site_root(identity):
            # A canonical naming a site's home page (a common template mistake, or an image CDN's
            # root picked up as the page URL) would join every article of the site into one.
            continue
        urls.append(candidate)
    return urls


def _is_site_root(url: str) -> bool:
    parts = urlsplit(url)
    return parts.path in ("", "/") and not parts.query


def settle_history(store: SnapshotStore, url: str, answered_urls: list[str], seen_at: str) -> str:
    """The history key this check continues; joins URLs to histories as the page reveals them."""
    current = store.history_key(url)
    if not store.has_versions(current):
        for candidate in answered_urls:
            other = store.history_key(candidate)
            if other != current and store.has_versions(other):
                store.join_history(url, other, seen_at)
                current = other
                break
    for candidate in answered_urls:
        key = article_key(candidate)
        if key != current and store.history_key(candidate) == key and not store.has_versions(key):
            store.join_history(candidate, current, seen_at)
    return current

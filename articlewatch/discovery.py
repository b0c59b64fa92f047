"""Discovery: read followed feeds, sitemaps and section pages, and watch the articles they list.

A source is detected once, when it is followed:
- an RSS/Atom feed (parsed by feedparser),
- a sitemap or sitemap index, news sitemaps included (the index's child sitemaps are read too),
- an HTML page: a homepage that declares a feed is followed through that feed; any other page
  (or any page given `--match`) is a section page whose article links are taken.
Reading a source never extracts articles: it only adds watches, which `check` then tracks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urljoin, urlsplit

import courlan
import feedparser
import httpx
import lxml.etree
import lxml.html

from .errors import ArticlewatchError, ConfigError, FetchError, one_line
from .fetch import FEED_TYPES, fetch_page, utc_now
from .models import FetchResult, Source
from .politeness import HostGate
from .robots import RobotsCache
from .store import SnapshotStore
from .urls import identity_url, normalize_url

FEED = "feed"
SITEMAP = "sitemap"
SECTION = "section"
DEFAULT_SOURCE_EVERY = 30 * 60.0
# Bounds, so a hostile or huge source cannot make one run unbounded.
MAX_CHILD_SITEMAPS = 20
MAX_LINKS_PER_SOURCE = 2000
_SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
_XML_ROOT = re.compile(
    rb"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*|<!DOCTYPE[^>]*>\s*)*<([A-Za-z_:][\w:.-]*)", re.S
)
_FEED_LINK_TYPES = ("application/rss+xml", "application/atom+xml", "application/feed+json")
# A path segment that looks like an article: a long hyphenated slug, or an id of 4+ digits.
_ARTICLE_SEGMENT = re.compile(r"(?:[a-z0-9]+-){3,}[a-z0-9]+|\d{4,}", re.IGNORECASE)


@dataclass(frozen=True)
class SourceRead:
    """What reading a source once found: article URLs in source order."""

    source: str
    kind: str
    links: tuple[str, ...]


@dataclass(frozen=True)
class DiscoveryResult:
    """The outcome of reading one source in a discovery run."""

    source: str
    kind: str
    found: int
    new: tuple[str, ...]
    error: str | None = None

    def to_record(self) -> dict[str, object]:
        """JSON form for `discover --json`."""
        return {
            "source": self.source,
            "kind": self.kind,
            "found": self.found,
            "new": list(self.new),
            "error": self.error,
        }


def compile_match(pattern: str | None) -> re.Pattern[str] | None:
    """The --match regex, compiled; ConfigError naming it when it does not compile."""
    if pattern is None:
        return None
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise ConfigError(f"--match {pattern!r}: not a valid regular expression ({exc})") from None


def detect_source(url: str, client: httpx.Client, match: str | None, every_seconds: float) -> Source:
    """Fetch a source once and tell what it is (feed, sitemap, or section page; a homepage's feed)."""
    compile_match(match)
    fetched = _fetch_source(url, client)
    kind = _xml_kind(fetched.body)
    feed_url = None
    if kind is None:
        feeds = [] if match else feed_links(fetched.html, fetched.final_url)
        if feeds:
            kind, feed_url = FEED, feeds[0]
        else:
            kind = SECTION
    return Source(
        url=url, kind=kind, added_at=utc_now(), every_seconds=every_seconds, match=match, feed_url=feed_url
    )


def read_source(source: Source, client: httpx.Client, manners: Manners | None = None) -> SourceRead:
    """Fetch a source and list the article URLs it links to (deduplicated, in source order)."""
    match = compile_match(source.match)
    target = source.feed_url or source.url
    fetched = _fetch_source(target, client, manners)
    if source.kind == FEED:
        links = feed_entries(fetched.body, fetched.final_url)
    elif source.kind == SITEMAP:
        links = _sitemap_tree_links(fetched, client, manners)
    else:
        links = section_links(fetched.html, fetched.final_url, match)
    if match is not None and source.kind != SECTION:
        links = [link for link in links if match.search(link)]
    return SourceRead(source.url, source.kind, tuple(_unique(links)[:MAX_LINKS_PER_SOURCE]))


def feed_entries(body: bytes, base_url: str) -> list[str]:
    """Article links of an RSS or Atom feed."""
    parsed = feedparser.parse(body, response_headers={"content-location": base_url})
    if not parsed.entries and parsed.bozo and not parsed.version:
        raise FetchError(f"{base_url}: not a readable feed ({one_line(parsed.bozo_exception)})")
    links = []
    for entry in parsed.entries:
        link = entry.get("link") or next(
            (item.get("href") for item in entry.get("links", []) if item.get("rel") in (None, "alternate")),
            None,
        )
        if link:
            links.append(urljoin(base_url, link))
    return [link for link in links if _is_http(link)]


def sitemap_locations(body: bytes, base_url: str) -> tuple[list[str], list[str]]:
    """(page URLs, child sitemap URLs) of a sitemap or sitemap index, news sitemaps included."""
    parser = lxml.etree.XMLParser(resolve_entities=False, no_network=True, recover=True, huge_tree=False)
    try:
        root = lxml.etree.fromstring(body, parser)
    except lxml.etree.XMLSyntaxError as exc:
        raise FetchError(f"{base_url}: not a readable sitemap ({exc})") from None
    if root is None:
        raise FetchError(f"{base_url}: not a readable sitemap (empty)")
    is_index = lxml.etree.QName(root).localname == "sitemapindex"
    locations = [
        urljoin(base_url, (element.text or "").strip())
        for element in root.iter(f"{_SITEMAP_NS}loc", "loc")
        if (element.text or "").strip()
    ]
    locations = [location for location in locations if _is_http(location)]
    return ([], locations) if is_index else (locations, [])


def feed_links(html: str, base_url: str) -> list[str]:
    """The feeds a page declares with <link rel="alternate" type="application/rss+xml"> (or Atom)."""
    tree = _parse_html(html)
    if tree is None:
        return []
    links = []
    for element in tree.iter("link"):
        rel = (element.get("rel") or "").lower().split()
        kind = (element.get("type") or "").lower()
        if "alternate" in rel and kind in _FEED_LINK_TYPES and element.get("href"):
            links.append(urljoin(base_url, element.get("href", "")))
    return [link for link in _unique(links) if _is_http(link)]


def section_links(html: str, base_url: str, match: re.Pattern[str] | None) -> list[str]:
    """Article links on a section page: those matching `match`, or same-site links shaped like articles."""
    tree = _parse_html(html)
    if tree is None:
        return []
    host = urlsplit(base_url).hostname
    links = []
    for element in tree.iter("a"):
        href = element.get("href")
        if not href:
            continue
        link = urljoin(base_url, href.strip()).split("#", 1)[0]
        if not _is_http(link):
            continue
        if match is not None:
            if match.search(link):
                links.append(link)
        elif urlsplit(link).hostname == host and _looks_like_article(link):
            links.append(link)
    return _unique(links)


def is_due(source: Source, now: datetime) -> bool:
    """Whether a source should be read at `now`."""
    if source.last_checked is None:
        return True
    last = datetime.fromisoformat(source.last_checked.replace("Z", "+00:00"))
    return last + timedelta(seconds=source.every_seconds) <= now


def record_read(store: SnapshotStore, read: SourceRead) -> DiscoveryResult:
    """Watch every article of a read that is not tracked yet; note when and where it was first seen."""
    seen_at = utc_now()
    new = tuple(link for link in read.links if store.record_discovery(link, read.source, seen_at))
    store.record_source_check(read.source, seen_at, None)
    return DiscoveryResult(read.source, read.kind, len(read.links), new)


def record_source_failure(store: SnapshotStore, source: Source, error: BaseException) -> DiscoveryResult:
    """Note a source that could not be read; its articles stay watched."""
    message = one_line(error)
    store.record_source_check(source.url, utc_now(), message)
    return DiscoveryResult(source.url, source.kind, 0, (), message)


def discover(
    store: SnapshotStore,
    client: httpx.Client,
    now: datetime,
    due_only: bool = True,
    manners: Manners | None = None,
) -> list[DiscoveryResult]:
    """Read every (due) source once and watch the new articles (the flow runs these same steps)."""
    results = []
    for source in store.sources():
        if due_only and not is_due(source, now):
            continue
        try:
            results.append(record_read(store, read_source(source, client, manners)))
        except ArticlewatchError as error:
            results.append(record_source_failure(store, source, error))
    return results


@dataclass(frozen=True)
class Manners:
    """The same politeness as article fetches: the per-host gate and robots.txt."""

    gate: HostGate
    robots: RobotsCache | None


def _fetch_source(url: str, client: httpx.Client, manners: Manners | None = None) -> FetchResult:
    if manners is None:
        return fetch_page(url, client, accept=FEED_TYPES)
    if manners.robots is not None:
        manners.robots.check(url)
    with manners.gate.request(url):
        return fetch_page(url, client, accept=FEED_TYPES)


def _sitemap_tree_links(fetched: FetchResult, client: httpx.Client, manners: Manners | None) -> list[str]:
    pages, children = sitemap_locations(fetched.body, fetched.final_url)
    seen = {fetched.final_url}
    for child in children[:MAX_CHILD_SITEMAPS]:
        if child in seen:
            continue
        seen.add(child)
        child_pages, _ = sitemap_locations(_fetch_source(child, client, manners).body, child)
        pages += child_pages  # one level: news sitemaps hang directly off the index
    return pages


def _xml_kind(body: bytes) -> str | None:
    found = _XML_ROOT.match(body[:4096])
    if not found:
        return None
    root = found.group(1).decode("ascii", "ignore").split(":")[-1].lower()
    if root in ("rss", "feed", "rdf"):
        return FEED
    if root in ("urlset", "sitemapindex"):
        return SITEMAP
    return None


def _looks_like_article(url: str) -> bool:
    if courlan.is_navigation_page(url) or courlan.is_not_crawlable(url):
        return False
    segments = [segment for segment in urlsplit(url).path.split("/") if segment]
    return any(_ARTICLE_SEGMENT.search(segment) for segment in segments[-2:])


def _parse_html(html: str) -> lxml.html.HtmlElement | None:
    try:
        return lxml.html.fromstring(html) if html.strip() else None
    except (lxml.etree.ParserError, ValueError):
        return None


def _is_http(url: str) -> bool:
    try:
        normalize_url(url)
    except FetchError:
        return False
    return True


def _unique(links: list[str]) -> list[str]:
    seen: set[str] = set()
    unique = []
    for link in links:
        key = identity_url(link)
        if key not in seen:
            seen.add(key)
            unique.append(link)
    return unique

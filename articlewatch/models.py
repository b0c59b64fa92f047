"""Frozen dataclasses passed between the stages: Watch -> FetchResult -> Article -> Snapshot -> Change."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal

from .decoding import decode_html
from .redact import redact_url

Outcome = Literal["new", "unchanged", "changed", "gone", "restored", "error"]

# Every change kind a diff can report; `significant` is true for all but METADATA and REVERT.
TITLE = "title"
AUTHOR = "author"
PUBLISHED = "published"
UPDATED = "updated"
PARAGRAPH_ADDED = "paragraph_added"
PARAGRAPH_REMOVED = "paragraph_removed"
PARAGRAPH_EDITED = "paragraph_edited"
PARAGRAPH_MOVED = "paragraph_moved"
METADATA = "metadata"
URL = "url"
# The whole text flipped back to an earlier version: reported, never fresh news (not significant).
REVERT = "revert"
CHANGE_KINDS = (
    URL,
    TITLE,
    AUTHOR,
    PUBLISHED,
    UPDATED,
    PARAGRAPH_ADDED,
    PARAGRAPH_REMOVED,
    PARAGRAPH_EDITED,
    PARAGRAPH_MOVED,
    METADATA,
    REVERT,
)
# The kinds that change what a reader reads; the update stamp is expected to move with them.
TEXT_KINDS = frozenset({TITLE, PARAGRAPH_ADDED, PARAGRAPH_REMOVED, PARAGRAPH_EDITED, PARAGRAPH_MOVED})
# Notes on a change item: what an edit touched, and what kind of paragraph was added.
NOTE_NUMBER = "number"
NOTE_QUOTE = "quote"
NOTE_NAME = "name"
NOTE_CORRECTION = "correction"
NOTE_EDITORS_NOTE = "editors_note"
NOTE_SPLIT = "split"
NOTE_MERGED = "merged"
NOTE_EDITED = "edited"  # on a move: the paragraph was also reworded
CHANGE_NOTES = (
    NOTE_NUMBER,
    NOTE_QUOTE,
    NOTE_NAME,
    NOTE_CORRECTION,
    NOTE_EDITORS_NOTE,
    NOTE_SPLIT,
    NOTE_MERGED,
    NOTE_EDITED,
)


@dataclass(frozen=True)
class Watch:
    """One watched article URL as the index holds it."""

    url: str
    key: str
    host: str
    added_at: str
    last_checked: str | None = None
    last_outcome: str | None = None
    versions: int = 0
    every_seconds: float | None = None  # the watch's own check interval (`add --every`), else adaptive
    last_changed: str | None = None  # when the latest version after the first was fetched
    published: str | None = None  # the latest version's published date, as the page gives it
    updated: str | None = None  # the latest version's updated date, as the page gives it


@dataclass(frozen=True)
class FetchResult:
    """What one HTTP fetch of an article URL returned."""

    url: str
    final_url: str
    status: int
    fetched_at: str
    content_type: str = ""
    body: bytes = b""
    charset: str | None = None  # as the Content-Type header declared it, a hint for decoding
    etag: str | None = None
    last_modified: str | None = None
    not_modified: bool = False

    @cached_property  # read three times for a new version: hashing 100 KB costs more than the rest
    def raw_sha256(self) -> str:
        """SHA-256 of the raw response body, to skip extraction of byte-identical pages."""
        return hashlib.sha256(self.body).hexdigest()

    @cached_property  # decoded on first read only: a run's process hands bodies to its extraction
    def html(self) -> str:  # workers as bytes, and a page's text would double its memory there
        """The body as text, its character set picked the way browsers pick it."""
        return decode_html(self.body, self.charset, self.final_url)


@dataclass(frozen=True)
class Article:
    """An extracted article: metadata and the body as paragraphs."""

    title: str | None = None
    author: str | None = None
    published: str | None = None
    updated: str | None = None
    sitename: str | None = None
    language: str | None = None
    description: str | None = None
    canonical_url: str | None = None
    tags: tuple[str, ...] = ()
    paragraphs: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form, as stored in snapshots."""
        return {
            "title": self.title,
            "author": self.author,
            "published": self.published,
            "updated": self.updated,
            "sitename": self.sitename,
            "language": self.language,
            "description": self.description,
            "canonical_url": self.canonical_url,
            "tags": list(self.tags),
            "paragraphs": list(self.paragraphs),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Article:
        """Inverse of to_dict; unknown keys are ignored so newer snapshots still read."""
        return cls(
            title=data.get("title"),
            author=data.get("author"),
            published=data.get("published"),
            updated=data.get("updated"),
            sitename=data.get("sitename"),
            language=data.get("language"),
            description=data.get("description"),
            canonical_url=data.get("canonical_url"),
            tags=tuple(data.get("tags") or ()),
            paragraphs=tuple(data.get("paragraphs") or ()),
        )


@dataclass(frozen=True)
class HttpInfo:
    """The parts of the HTTP exchange worth keeping with a snapshot."""

    status: int
    final_url: str
    content_type: str
    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True)
class Snapshot:
    """One stored version of an article."""

    url: str
    key: str
    host: str
    version: int
    fetched_at: str
    article: Article
    fingerprint: str
    raw_sha256: str
    raw_bytes: int
    http: HttpInfo
    extractor: dict[str, Any] = field(default_factory=dict)
    path: str | None = None


@dataclass(frozen=True)
class ChangeItem:
    """One difference between two versions; `field` names the metadata field, `position` the paragraph.

    `notes` (CHANGE_NOTES) say more than the kind: a number, quote or name changed inside an edit,
    an added paragraph is a correction or an editor's note, a paragraph was split or merged.
    """

    kind: str
    before: str | None
    after: str | None
    field: str | None = None
    position: int | None = None
    notes: tuple[str, ...] = ()

    @property
    def significant(self) -> bool:
        """Whether this kind of change would alert a reader."""
        return self.kind not in (METADATA, REVERT)

    def to_record(self) -> dict[str, str | None]:
        """The public `{"kind", "before", "after"}` form of `check --json`."""
        return {"kind": self.kind, "before": self.before, "after": self.after}


@dataclass(frozen=True)
class Change:
    """All differences between two versions of one article."""

    url: str
    from_version: int | None
    to_version: int
    items: tuple[ChangeItem, ...]
    from_fetched_at: str | None = None
    to_fetched_at: str | None = None
    title: str | None = None
    sitename: str | None = None
    reverts_to: int | None = None  # the earlier version this one flips back to

    @property
    def significant(self) -> bool:
        """True when any item is significant (a revert never is: it is no fresh news)."""
        return self.reverts_to is None and any(item.significant for item in self.items)

    @property
    def stamp_only(self) -> bool:
        """The update stamp moved and the text did not: a stamp-only bump."""
        kinds = {item.kind for item in self.items}
        return UPDATED in kinds and not kinds & TEXT_KINDS

    @property
    def silent_edit(self) -> bool:
        """The text changed and the update stamp did not: a silent edit."""
        kinds = {item.kind for item in self.items}
        return self.reverts_to is None and bool(kinds & TEXT_KINDS) and UPDATED not in kinds

    @property
    def kinds(self) -> tuple[str, ...]:
        """The distinct kinds, in the canonical order."""
        present = {item.kind for item in self.items}
        return tuple(kind for kind in CHANGE_KINDS if kind in present)


@dataclass(frozen=True)
class CheckResult:
    """The outcome of checking one URL: the public `check --json` record."""

    url: str
    outcome: Outcome
    version: int | None = None
    significant: bool = False
    changes: tuple[ChangeItem, ...] = ()
    snapshot: str | None = None
    error: str | None = None
    title: str | None = None
    alert_id: str | None = None  # set when the new version alerts (not part of the JSON record)

    def to_record(self) -> dict[str, Any]:
        """Exactly the keys of the public JSON Lines contract (credentials in the URL redacted)."""
        return {
            "url": redact_url(self.url),
            "outcome": self.outcome,
            "version": self.version,
            "significant": self.significant,
            "changes": [item.to_record() for item in self.changes],
            "snapshot": self.snapshot,
            "error": self.error,
        }


@dataclass(frozen=True)
class Source:
    """A followed feed, sitemap or section page that new article URLs are discovered from."""

    url: str
    kind: str  # "feed" | "sitemap" | "section"
    added_at: str
    every_seconds: float
    match: str | None = None  # a regex article links must match (section pages)
    feed_url: str | None = None  # the feed found on a homepage that was followed
    last_checked: str | None = None
    last_error: str | None = None
    found: int = 0  # articles discovered from this source so far

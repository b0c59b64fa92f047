"""Frozen dataclasses passed between the stages: Watch -> FetchResult -> Article -> Snapshot -> Change."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any, Literal

Outcome = Literal["new", "unchanged", "changed", "gone", "error"]

# Every change kind a diff can report; `significant` is true for all but METADATA.
TITLE = "title"
AUTHOR = "author"
PUBLISHED = "published"
UPDATED = "updated"
PARAGRAPH_ADDED = "paragraph_added"
PARAGRAPH_REMOVED = "paragraph_removed"
PARAGRAPH_EDITED = "paragraph_edited"
PARAGRAPH_MOVED = "paragraph_moved"
METADATA = "metadata"
CHANGE_KINDS = (
    TITLE,
    AUTHOR,
    PUBLISHED,
    UPDATED,
    PARAGRAPH_ADDED,
    PARAGRAPH_REMOVED,
    PARAGRAPH_EDITED,
    PARAGRAPH_MOVED,
    METADATA,
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


@dataclass(frozen=True)
class FetchResult:
    """What one HTTP fetch of an article URL returned."""

    url: str
    final_url: str
    status: int
    fetched_at: str
    content_type: str = ""
    body: bytes = b""
    html: str = ""
    etag: str | None = None
    last_modified: str | None = None
    not_modified: bool = False

    @property
    def raw_sha256(self) -> str:
        """SHA-256 of the raw response body, to skip extraction of byte-identical pages."""
        return hashlib.sha256(self.body).hexdigest()


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
    """One difference between two versions; `field` names the metadata field, `position` the paragraph."""

    kind: str
    before: str | None
    after: str | None
    field: str | None = None
    position: int | None = None

    @property
    def significant(self) -> bool:
        """Whether this kind of change would alert a reader."""
        return self.kind != METADATA

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

    @property
    def significant(self) -> bool:
        """True when any item is significant."""
        return any(item.significant for item in self.items)

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

    def to_record(self) -> dict[str, Any]:
        """Exactly the keys of the public JSON Lines contract."""
        return {
            "url": self.url,
            "outcome": self.outcome,
            "version": self.version,
            "significant": self.significant,
            "changes": [item.to_record() for item in self.changes],
            "snapshot": self.snapshot,
            "error": self.error,
        }

"""Renderers: Change -> text for people (pure; they return strings and never print or send)."""

from __future__ import annotations

from collections import Counter

from ..models import (
    AUTHOR,
    METADATA,
    PARAGRAPH_ADDED,
    PARAGRAPH_EDITED,
    PARAGRAPH_MOVED,
    PARAGRAPH_REMOVED,
    PUBLISHED,
    TITLE,
    UPDATED,
    Change,
    ChangeItem,
)

_PARAGRAPH_WORDS = {
    PARAGRAPH_ADDED: "added",
    PARAGRAPH_REMOVED: "removed",
    PARAGRAPH_EDITED: "edited",
    PARAGRAPH_MOVED: "moved",
}
_FIELD_LABELS = {TITLE: "headline", AUTHOR: "byline", PUBLISHED: "published", UPDATED: "update stamp"}


def item_label(item: ChangeItem) -> str:
    """A short human name for one change item ("headline", "paragraph 3 added", "sitename")."""
    if item.kind in _PARAGRAPH_WORDS:
        where = f" {item.position + 1}" if item.position is not None else ""
        return f"paragraph{where} {_PARAGRAPH_WORDS[item.kind]}"
    if item.kind == METADATA:
        return item.field or "metadata"
    return _FIELD_LABELS.get(item.kind, item.kind)


def summarize(change: Change) -> str:
    """One line saying what changed, e.g. "headline changed; 1 paragraph added"."""
    if not change.items:
        return "no change"
    parts = []
    for item in change.items:
        if item.kind in (TITLE, AUTHOR, PUBLISHED, UPDATED):
            parts.append(f"{_FIELD_LABELS[item.kind]} {_arrow(item.before, item.after)}")
    counts = Counter(item.kind for item in change.items if item.kind in _PARAGRAPH_WORDS)
    for kind, word in _PARAGRAPH_WORDS.items():
        if counts[kind]:
            noun = "paragraph" if counts[kind] == 1 else "paragraphs"
            parts.append(f"{counts[kind]} {noun} {word}")
    fields = [item.field or "metadata" for item in change.items if item.kind == METADATA]
    if fields:
        parts.append("metadata (" + ", ".join(fields) + ")")
    if change.kinds == (UPDATED,):
        parts.append("text unchanged")
    return "; ".join(parts)


def _arrow(before: str | None, after: str | None) -> str:
    if before is None:
        return f"set to {_quote(after)}"
    if after is None:
        return f"removed (was {_quote(before)})"
    return f"{_quote(before)} -> {_quote(after)}"


def _quote(text: str | None, limit: int = 80) -> str:
    text = text or ""
    return f"“{text if len(text) <= limit else text[: limit - 1] + '…'}”"

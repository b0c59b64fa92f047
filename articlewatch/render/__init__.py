"""Renderers: Change -> text for people (pure; they return strings and never print or send)."""

from __future__ import annotations

import re
from collections import Counter

from ..models import (
    AUTHOR,
    CHANGE_NOTES,
    METADATA,
    NOTE_CORRECTION,
    NOTE_EDITED,
    NOTE_EDITORS_NOTE,
    NOTE_MERGED,
    NOTE_NAME,
    NOTE_NUMBER,
    NOTE_QUOTE,
    NOTE_SPLIT,
    PARAGRAPH_ADDED,
    PARAGRAPH_EDITED,
    PARAGRAPH_MOVED,
    PARAGRAPH_REMOVED,
    PUBLISHED,
    REVERT,
    TITLE,
    UPDATED,
    URL,
    Change,
    ChangeItem,
)

_PARAGRAPH_WORDS = {
    PARAGRAPH_ADDED: "added",
    PARAGRAPH_REMOVED: "removed",
    PARAGRAPH_EDITED: "edited",
    PARAGRAPH_MOVED: "moved",
}
_FIELD_LABELS = {
    URL: "URL",
    TITLE: "headline",
    AUTHOR: "byline",
    PUBLISHED: "published",
    UPDATED: "update stamp",
    REVERT: "revert",
}
_NOTE_WORDS = {
    NOTE_NUMBER: "a number changed",
    NOTE_QUOTE: "a quotation changed",
    NOTE_NAME: "a name changed",
    NOTE_CORRECTION: "correction",
    NOTE_EDITORS_NOTE: "editor's note",
    NOTE_SPLIT: "split",
    NOTE_MERGED: "merged",
    NOTE_EDITED: "reworded",
}


def item_label(item: ChangeItem) -> str:
    """A short human name for one change item ("headline", "paragraph 3 edited (number)", "sitename")."""
    if item.kind in _PARAGRAPH_WORDS:
        where = f" {item.position + 1}" if item.position is not None else ""
        label = f"paragraph{where} {_PARAGRAPH_WORDS[item.kind]}"
    elif item.kind == METADATA:
        label = item.field or "metadata"
    else:
        label = _FIELD_LABELS.get(item.kind, item.kind)
    if item.notes:
        label += " (" + ", ".join(_NOTE_WORDS.get(note, note) for note in item.notes) + ")"
    return label


def summarize(change: Change) -> str:
    """One line saying what changed, e.g. "headline changed; 1 paragraph added"."""
    if not change.items:
        return "no change"
    parts = []
    for item in change.items:
        if item.kind in (URL, TITLE, AUTHOR, PUBLISHED, UPDATED):
            parts.append(f"{_FIELD_LABELS[item.kind]} {_arrow(item.before, item.after)}")
    counts = Counter(item.kind for item in change.items if item.kind in _PARAGRAPH_WORDS)
    for kind, word in _PARAGRAPH_WORDS.items():
        if counts[kind]:
            noun = "paragraph" if counts[kind] == 1 else "paragraphs"
            parts.append(f"{counts[kind]} {noun} {word}")
    fields = [item.field or "metadata" for item in change.items if item.kind == METADATA]
    if fields:
        parts.append("metadata (" + ", ".join(fields) + ")")
    # a check record carries the revert as an item; a stored change as reverts_to
    reverted = next((item.after for item in change.items if item.kind == REVERT), None)
    if change.reverts_to is not None:
        reverted = f"version {change.reverts_to}"
    if reverted:
        parts.insert(0, f"reverted to {reverted}: its text again, no fresh news")
    elif change.stamp_only:
        parts.append("text unchanged (a stamp-only update)")
    elif change.silent_edit:
        parts.append("a silent edit: the update stamp did not move")
    notes = [note for note in CHANGE_NOTES if any(note in item.notes for item in change.items)]
    if notes:
        parts.append("notes: " + ", ".join(_NOTE_WORDS[note] for note in notes))
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


_KIND_LABELS = {**_FIELD_LABELS, METADATA: "metadata"} | {
    kind: f"paragraph {word}" for kind, word in _PARAGRAPH_WORDS.items()
}


def kind_label(kind: str) -> str:
    """A change kind as people say it ("paragraph_added" -> "paragraph added", "title" -> "headline")."""
    return _KIND_LABELS.get(kind, kind.replace("_", " "))


def human_time(moment: str | None) -> str:
    """An ISO UTC timestamp as "2018-08-07 17:48 UTC" (other text unchanged)."""
    if not moment:
        return ""
    match = _UTC_STAMP.match(moment)
    return f"{match.group(1)} {match.group(2)} UTC" if match else moment


_UTC_STAMP = re.compile(r"^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(?::\d{2}(?:\.\d+)?)?(?:Z|\+00:00)$")

"""Article x Article -> ChangeItems: DeepDiff over the metadata, paragraph alignment over the body. Pure."""

from __future__ import annotations

import difflib
import hashlib
import json
import re
from dataclasses import dataclass

from deepdiff import DeepDiff

from .models import (
    AUTHOR,
    METADATA,
    PARAGRAPH_ADDED,
    PARAGRAPH_EDITED,
    PARAGRAPH_MOVED,
    PARAGRAPH_REMOVED,
    PUBLISHED,
    TITLE,
    UPDATED,
    Article,
    ChangeItem,
)
from .normalize import comparable_paragraphs, comparison_key

# Metadata fields and the change kind each maps to; the rest of the fields are `metadata`.
FIELD_KINDS = {"title": TITLE, "author": AUTHOR, "published": PUBLISHED, "updated": UPDATED}
METADATA_FIELDS = (
    "title",
    "author",
    "published",
    "updated",
    "sitename",
    "language",
    "description",
    "canonical_url",
    "tags",
)
# Two paragraphs this similar (word-level ratio) are one edited paragraph, not a removal plus an
# addition. 0.5 keeps rewrites of half a paragraph as edits and unrelated paragraphs apart.
EDIT_SIMILARITY = 0.5
_WORDS = re.compile(r"\w+|[^\w\s]", re.UNICODE)


@dataclass(frozen=True)
class _Pending:
    index: int
    key: str
    text: str
    block: int


def fingerprint(article: Article) -> str:
    """SHA-256 of the article's comparison form: equal fingerprints mean no change worth a version."""
    form = {
        "meta": _comparable_metadata(article),
        "body": [key for _, key in comparable_paragraphs(article.paragraphs)],
    }
    return hashlib.sha256(json.dumps(form, sort_keys=True).encode("utf-8")).hexdigest()


def diff_articles(old: Article, new: Article) -> tuple[ChangeItem, ...]:
    """Every change from old to new: metadata kinds first, then paragraph changes in reading order."""
    return diff_metadata(old, new) + align_paragraphs(old.paragraphs, new.paragraphs)


def diff_metadata(old: Article, new: Article) -> tuple[ChangeItem, ...]:
    """Changes of title, author, dates and other metadata fields, found by DeepDiff."""
    before, after = _comparable_metadata(old), _comparable_metadata(new)
    changed = DeepDiff(before, after, verbose_level=0).affected_root_keys
    items = []
    for name in METADATA_FIELDS:
        if name not in changed:
            continue
        items.append(
            ChangeItem(
                kind=FIELD_KINDS.get(name, METADATA),
                before=_field_text(old, name),
                after=_field_text(new, name),
                field=name,
            )
        )
    return tuple(items)


def align_paragraphs(old: tuple[str, ...], new: tuple[str, ...]) -> tuple[ChangeItem, ...]:
    """Paragraph changes: added, removed, edited (similar text in place), moved (same text elsewhere)."""
    old_keyed = comparable_paragraphs(old)
    new_keyed = comparable_paragraphs(new)
    matcher = difflib.SequenceMatcher(
        None, [key for _, key in old_keyed], [key for _, key in new_keyed], autojunk=False
    )
    removed: list[_Pending] = []
    added: list[_Pending] = []
    for block, (tag, i1, i2, j1, j2) in enumerate(matcher.get_opcodes()):
        if tag == "equal":
            continue
        removed += [_Pending(i, key, old[i], block) for i, key in old_keyed[i1:i2]]
        added += [_Pending(j, key, new[j], block) for j, key in new_keyed[j1:j2]]

    items: list[ChangeItem] = []
    for gone in list(removed):  # the same text elsewhere is a move
        twin = next((p for p in added if p.key == gone.key), None)
        if twin is not None:
            removed.remove(gone)
            added.remove(twin)
            items.append(ChangeItem(PARAGRAPH_MOVED, gone.text, twin.text, position=twin.index))
    for gone in list(removed):  # similar text in the same changed block is an edit
        candidates = [p for p in added if p.block == gone.block]
        best = max(candidates, key=lambda p: similarity(gone.key, p.key), default=None)
        if best is not None and similarity(gone.key, best.key) >= EDIT_SIMILARITY:
            removed.remove(gone)
            added.remove(best)
            items.append(ChangeItem(PARAGRAPH_EDITED, gone.text, best.text, position=best.index))
    items += [ChangeItem(PARAGRAPH_REMOVED, p.text, None, position=p.index) for p in removed]
    items += [ChangeItem(PARAGRAPH_ADDED, None, p.text, position=p.index) for p in added]
    # Reading order of the new version; removals sort by where they stood in the old one.
    return tuple(sorted(items, key=lambda item: (item.position or 0, item.kind != PARAGRAPH_REMOVED)))


def similarity(a: str, b: str) -> float:
    """Word-level similarity of two texts, 0..1."""
    return difflib.SequenceMatcher(None, _WORDS.findall(a), _WORDS.findall(b), autojunk=False).ratio()


def word_diff(before: str, after: str) -> list[tuple[str, str]]:
    """A word-level diff as (op, text) runs, op in {"equal", "delete", "insert"}, spacing kept."""
    old_words = re.findall(r"\S+\s*", before)
    new_words = re.findall(r"\S+\s*", after)
    matcher = difflib.SequenceMatcher(
        None, [w.strip() for w in old_words], [w.strip() for w in new_words], autojunk=False
    )
    runs: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            runs.append(("equal", "".join(new_words[j1:j2])))
            continue
        if i2 > i1:
            runs.append(("delete", "".join(old_words[i1:i2])))
        if j2 > j1:
            runs.append(("insert", "".join(new_words[j1:j2])))
    return runs


def _comparable_metadata(article: Article) -> dict[str, object]:
    return {
        name: (
            sorted(comparison_key(tag) for tag in article.tags)
            if name == "tags"
            else comparison_key(getattr(article, name))
        )
        for name in METADATA_FIELDS
    }


def _field_text(article: Article, name: str) -> str | None:
    value = getattr(article, name)
    text = ", ".join(value) if name == "tags" else value
    if not text:
        return None
    # Metadata items share one kind, so their values say which field they are.
    return f"{name}: {text}" if FIELD_KINDS.get(name, METADATA) == METADATA else text

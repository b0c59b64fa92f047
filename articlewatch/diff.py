"""Article x Article -> ChangeItems: DeepDiff over the metadata, paragraph alignment over the body. Pure.

Both sides are compared in their comparison form (normalize.py), optionally without the lines the
site repeats on many pages (`furniture`, line hashes from articlewatch.boilerplate). Dates compare
as moments: "2019-11-18T21:38" and "2019-11-18T21:38:02+00:00" are the same stamp read twice.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
from collections.abc import Callable
from collections.abc import Set as AbstractSet
from datetime import datetime

from deepdiff import DeepDiff

from .align import align_paragraphs, similarity
from .bodytext import MetaLines
from .errors import FetchError
from .models import (
    AUTHOR,
    METADATA,
    PARAGRAPH_EDITED,
    PUBLISHED,
    TITLE,
    UPDATED,
    URL,
    Article,
    ChangeItem,
)
from .normalize import comparable_paragraphs, comparison_key
from .notes import edit_notes
from .stamps import mask_dates
from .urls import identity_url

__all__ = [
    "align_paragraphs",
    "diff_articles",
    "diff_metadata",
    "fingerprint",
    "same_content",
    "same_moment",
    "similarity",
    "word_diff",
]

# Metadata fields and the change kind each maps to; the rest of the fields are `metadata`.
FIELD_KINDS = {
    "title": TITLE,
    "author": AUTHOR,
    "published": PUBLISHED,
    "updated": UPDATED,
    "canonical_url": URL,
}
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
DATE_FIELDS = ("published", "updated")


def fingerprint(
    article: Article, furniture: AbstractSet[str] = frozenset(), ignore: Callable[[str], bool] | None = None
) -> str:
    """SHA-256 of the article's comparison form: equal fingerprints mean no change worth a version."""
    form = {
        "meta": _comparable_metadata(article),
        "body": [key for _, key in comparable_paragraphs(article.paragraphs, furniture, ignore)],
    }
    return hashlib.sha256(json.dumps(form, sort_keys=True).encode("utf-8")).hexdigest()


def same_content(old: Article, new: Article, furniture: AbstractSet[str] = frozenset()) -> bool:
    """Whether two versions read the same, compared the way diff_articles compares them."""
    meta = MetaLines.of(old, new)
    return fingerprint(old, furniture, meta) == fingerprint(new, furniture, meta)


def diff_articles(
    old: Article, new: Article, furniture: AbstractSet[str] = frozenset()
) -> tuple[ChangeItem, ...]:
    """Every change from old to new: metadata kinds first, then paragraph changes in reading order."""
    metadata = diff_metadata(old, new)
    meta = MetaLines.of(old, new)
    paragraphs = align_paragraphs(old.paragraphs, new.paragraphs, furniture, meta)
    kinds = {item.kind for item in metadata}
    if kinds & {PUBLISHED, UPDATED}:
        # A dateline inside a paragraph moves with the date it states: the date item reports it.
        paragraphs = tuple(item for item in paragraphs if not _only_dates_changed(item))
    if TITLE in kinds:
        # So does a line that quotes the headline ("| Headline by Jane Doe" in a table).
        paragraphs = tuple(item for item in paragraphs if not _only_headline_changed(item, meta))
    return metadata + paragraphs


def diff_metadata(old: Article, new: Article) -> tuple[ChangeItem, ...]:
    """Changes of title, author, dates and other metadata fields, found by DeepDiff."""
    before, after = _comparable_metadata(old), _comparable_metadata(new)
    changed = DeepDiff(before, after, verbose_level=0).affected_root_keys
    items = []
    for name in METADATA_FIELDS:
        if name not in changed:
            continue
        if name in DATE_FIELDS and same_moment(getattr(old, name), getattr(new, name)):
            continue
        before_text, after_text = _field_text(old, name), _field_text(new, name)
        notes = edit_notes(comparison_key(before_text), comparison_key(after_text)) if name == "title" else ()
        items.append(
            ChangeItem(
                kind=FIELD_KINDS.get(name, METADATA),
                before=before_text,
                after=after_text,
                field=name,
                notes=notes,
            )
        )
    return tuple(items)


def same_moment(a: str | None, b: str | None) -> bool:
    """Whether two page dates name the same moment at the precision both state.

    A time without an offset is compared as the wall-clock time it shows; seconds count only when
    both give them; a day without a time matches any time on that day.
    """
    if a == b:
        return True
    if not a or not b:
        return False
    try:
        first, second = datetime.fromisoformat(a), datetime.fromisoformat(b)
    except ValueError:
        return False
    if len(a) == 10 or len(b) == 10:
        return first.date() == second.date()
    if (first.tzinfo is None) != (second.tzinfo is None):
        first, second = first.replace(tzinfo=None), second.replace(tzinfo=None)
    if first.second == 0 or second.second == 0:
        first, second = first.replace(second=0), second.replace(second=0)
    return first == second


def _only_headline_changed(item: ChangeItem, meta: MetaLines) -> bool:
    if item.kind != PARAGRAPH_EDITED or not item.before or not item.after:
        return False
    before, after = comparison_key(item.before), comparison_key(item.after)
    return meta.without_headlines(before) == meta.without_headlines(after)


def _only_dates_changed(item: ChangeItem) -> bool:
    if item.kind != PARAGRAPH_EDITED or not item.before or not item.after:
        return False
    return mask_dates(comparison_key(item.before)) == mask_dates(comparison_key(item.after))


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
    form: dict[str, object] = {
        name: comparison_key(getattr(article, name)) for name in METADATA_FIELDS if name != "tags"
    }
    form["tags"] = sorted(comparison_key(tag) for tag in article.tags)
    form["canonical_url"] = _comparable_url(article.canonical_url)
    return form


def _comparable_url(url: str | None) -> str:
    # Tracking parameters or an AMP variant in a canonical link do not make a new URL.
    if not url:
        return ""
    try:
        return identity_url(url)
    except FetchError:
        return comparison_key(url)


def _field_text(article: Article, name: str) -> str | None:
    value = getattr(article, name)
    text = ", ".join(value) if name == "tags" else value
    if not text:
        return None
    # Metadata items share one kind, so their values say which field they are.
    return f"{name}: {text}" if FIELD_KINDS.get(name, METADATA) == METADATA else text

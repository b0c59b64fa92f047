"""Judging one check of one mutation: was it right, and what would the naive approach have said?

The naive approach is what most change trackers do: extract the text with trafilatura's defaults
and alert when it differs from the last text. It is measured on the very same pages.

Whether an edit can be judged at all is decided by trafilatura alone (never by the system under
test): an edited paragraph its default extraction does not contain is invisible to any
trafilatura-based tracker, and an edit that makes it extract other lines differently as well
mixes its changes into the edit's (for the headline, byline and date edits: its own metadata
changed a field the edit did not touch). Likewise a furniture change that makes it drop (or take) lines
of the true article body broke the extractor, not the differ. Such cases are counted apart, by
reason, as "not judgeable".
"""

from __future__ import annotations

from dataclasses import dataclass

import trafilatura
from trafilatura.metadata import extract_metadata

from articlewatch.models import (
    AUTHOR,
    PARAGRAPH_ADDED,
    PARAGRAPH_EDITED,
    PARAGRAPH_MOVED,
    PARAGRAPH_REMOVED,
    PUBLISHED,
    REVERT,
    TITLE,
    UPDATED,
    Change,
    ChangeItem,
    CheckResult,
)
from articlewatch.normalize import comparison_key
from articlewatch.stamps import is_stamp_line, mask_dates

from .mutations import FURNITURE, STAMP_ONLY, Mutation

REVERT_GROUP = "revert"
NOT_EXTRACTED = "not extracted"
SIDE_EFFECTS = "extractor side effects"
LOST_TEXT = "extractor lost article text"
MIN_TRUE_LINE = 20  # a shorter line found in the true body may be there by chance
# Moving a date can move a derived update date with it (a page whose only update hint is the
# published stamp read again): a published-date edit may also report `updated`.
_ALLOWED_EXTRA = {"published_date": frozenset({UPDATED})}
# Kinds whose edits leave the update stamp alone: the check must call them silent edits.
_SILENT = frozenset(
    {
        "number_changed",
        "word_inserted",
        "paragraph_added",
        "paragraph_removed",
        "paragraph_moved",
        "correction_appended",
        "headline",
    }
)


@dataclass(frozen=True)
class Verdict:
    """The judged check of one mutation of one page."""

    page_id: str
    kind: str
    group: str  # "furniture", "edit" or "revert"
    unjudged: str | None  # why it cannot be judged (NOT_EXTRACTED, SIDE_EFFECTS, LOST_TEXT), or None
    detected: bool  # furniture: a false alert (or error); edit: an alert; revert: flagged as one
    right_kind: bool
    points_at: bool
    naive_detected: bool
    outcome: str
    detail: str

    @property
    def judgeable(self) -> bool:
        """Whether the case counts in recall and the kind measures."""
        return self.unjudged is None


def naive_text(html: str) -> str:
    """What a naive tracker compares: trafilatura's plain text with its default options."""
    return trafilatura.extract(html) or ""


def _key_in(text: str | None, naive: str) -> bool:
    return bool(text) and comparison_key(text) in naive


def unjudgeable(mutation: Mutation, naive_base: str, naive_new: str) -> str | None:
    """Why trafilatura's own extraction makes an edit impossible to judge, or None when it does not.

    NOT_EXTRACTED: its text lacks the edited paragraph. SIDE_EFFECTS: the edit made it extract
    other lines differently too (a caption appears, a closing line goes), which no differ can
    tell from edits.
    """
    base, new = comparison_key(naive_base), comparison_key(naive_new)
    kind = mutation.kind
    if kind == "paragraph_removed":
        shown = _key_in(mutation.before, base)
    elif kind in ("paragraph_added", "correction_appended", "number_changed", "word_inserted"):
        shown = _key_in(mutation.after, new)
    elif kind == "paragraph_moved":
        text = comparison_key(mutation.after or "")
        shown = text in base and text in new and base.find(text) != new.find(text)
    else:
        shown = True
    if not shown:
        return NOT_EXTRACTED
    return SIDE_EFFECTS if _side_effects(mutation, naive_base, naive_new) else None


def _side_effects(mutation: Mutation, naive_base: str, naive_new: str) -> bool:
    """Whether lines the edit did not touch appeared in or left trafilatura's text."""
    base, new = _lines(naive_base), _lines(naive_new)
    gone, came = base - new, new - base
    touched = [comparison_key(t) for t in (mutation.before, mutation.after) if t]
    redated = {mask_dates(line) for line in gone} & {mask_dates(line) for line in came}

    def explained(line: str) -> bool:
        return (
            any(t in line or line in t for t in touched)
            or mask_dates(line) in redated  # the same line with a date moved (a dateline)
            or is_stamp_line(line)
        )

    return not all(explained(line) for line in gone | came)


# The fields trafilatura's own metadata must keep when an edit targets another one.
_UNTOUCHED_FIELDS = {
    "headline": ("author",),
    "byline": ("title",),
    "published_date": ("title", "author"),
    "update_stamp": ("title", "author"),
}


def metadata_side_effects(kind: str, base_html: str, new_html: str) -> bool:
    """Whether a metadata edit made trafilatura's own metadata change a field it did not touch."""
    fields = _UNTOUCHED_FIELDS.get(kind)
    if not fields:
        return False
    base, new = extract_metadata(base_html), extract_metadata(new_html)
    return any(getattr(base, field) != getattr(new, field) for field in fields)


def _lost_article_text(naive_base: str, naive_new: str, truth_key: str) -> bool:
    """Whether a furniture change made trafilatura drop (or newly take) lines of the true body."""
    base, new = _lines(naive_base), _lines(naive_new)
    return any(len(line) >= MIN_TRUE_LINE and line in truth_key for line in base ^ new)


def _lines(text: str) -> set[str]:
    return {comparison_key(line) for line in text.split("\n") if line.strip()}


def _describe(result: CheckResult) -> str:
    if result.error:
        return result.error
    parts = [f"{c.kind}: {(c.before or '')[:50]!r} -> {(c.after or '')[:50]!r}" for c in result.changes[:4]]
    return "; ".join(parts) or result.outcome


def judge(
    page_id: str,
    mutation: Mutation,
    result: CheckResult,
    naive_base: str,
    naive_new: str,
    truth_key: str,
    base_html: str,
) -> Verdict:
    """The verdict on one check of a mutated page; truth_key: the true body in comparison form."""
    naive_changed = naive_base != naive_new
    if mutation.group == FURNITURE:
        wrong = result.outcome == "error" or result.significant
        return Verdict(
            page_id,
            mutation.kind,
            FURNITURE,
            LOST_TEXT if _lost_article_text(naive_base, naive_new, truth_key) else None,
            wrong,
            not wrong,
            not wrong,
            naive_changed,
            result.outcome,
            _describe(result),
        )
    alerted = result.outcome == "changed" and result.significant
    change = Change(url=result.url, from_version=None, to_version=result.version or 0, items=result.changes)
    kinds = {item.kind for item in result.changes if item.significant}
    if any(_glued(mutation, item) for item in result.changes):
        # the page's markup made the extractor join the new paragraph to the one before it
        kinds = (kinds - {PARAGRAPH_EDITED}) | {PARAGRAPH_ADDED}
    extra = kinds - mutation.expected
    right = mutation.expected <= kinds and extra <= _ALLOWED_EXTRA.get(mutation.kind, frozenset())
    if mutation.note == STAMP_ONLY:
        right = right and change.stamp_only
    elif mutation.note is not None:  # a change note the edit must carry ("number", "correction")
        right = right and any(mutation.note in item.notes for item in result.changes)
    if mutation.kind in _SILENT:
        right = right and change.silent_edit
    return Verdict(
        page_id,
        mutation.kind,
        mutation.group,
        unjudgeable(mutation, naive_base, naive_new)
        or (SIDE_EFFECTS if metadata_side_effects(mutation.kind, base_html, mutation.html) else None),
        alerted,
        alerted and right,
        alerted and any(_points_at(mutation, item) for item in result.changes),
        naive_changed,
        result.outcome,
        _describe(result),
    )


def _glued(mutation: Mutation, item: ChangeItem) -> bool:
    """An edit that is an added paragraph joined to the unchanged paragraph before it."""
    if mutation.kind not in ("paragraph_added", "correction_appended") or item.kind != PARAGRAPH_EDITED:
        return False
    before, after, added = (comparison_key(t or "") for t in (item.before, item.after, mutation.after))
    return bool(before) and after.startswith(before) and added in after


def _points_at(mutation: Mutation, item: ChangeItem) -> bool:
    """Whether a change item names the edited paragraph (or field) with its new text."""

    def same(a: str | None, b: str | None) -> bool:
        return bool(a) and bool(b) and comparison_key(a) == comparison_key(b)

    kind = mutation.kind
    if kind == "paragraph_removed":
        return item.kind == PARAGRAPH_REMOVED and same(item.before, mutation.before)
    if kind in ("paragraph_added", "correction_appended"):
        return (item.kind == PARAGRAPH_ADDED and same(item.after, mutation.after)) or _glued(mutation, item)
    if kind == "paragraph_moved":
        return item.kind == PARAGRAPH_MOVED and same(item.after, mutation.after)
    if kind in ("number_changed", "word_inserted"):
        return item.kind == PARAGRAPH_EDITED and same(item.after, mutation.after)
    if kind == "headline":
        return item.kind == TITLE and same(item.after, mutation.after)
    if kind == "byline":
        return item.kind == AUTHOR and bool(item.after) and str(mutation.after) in str(item.after)
    if kind == "published_date":
        return item.kind == PUBLISHED and (item.after or "")[:10] == mutation.after
    return item.kind == UPDATED and item.after is not None


def judge_revert(page_id: str, edit_kind: str, result: CheckResult) -> Verdict:
    """The verdict on the check that served the base page again after an edit: a revert, not news."""
    flagged = (
        result.outcome == "changed"
        and not result.significant
        and [item.kind for item in result.changes] == [REVERT]
    )
    return Verdict(
        page_id,
        edit_kind,
        REVERT_GROUP,
        None,
        flagged,
        flagged,
        flagged,
        True,
        result.outcome,
        _describe(result),
    )

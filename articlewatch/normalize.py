"""What counts as noise, in one place: cleaning extracted text and the form versions are compared in.

Two levels:
- `clean_paragraphs` runs once at extraction: whitespace, Unicode form, and boilerplate lines
  (buttons, comment-rule blocks) that are never article text. The snapshot stores its output.
- `comparison_key` is applied to both sides of every comparison: it also blanks volatile tokens
  (relative ages, counters) and typography, so "6 years ago" -> "7 years ago" is not an edit.
  Because it is applied at comparison time, improving it never requires rewriting snapshots.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

_WHITESPACE = re.compile(r"\s+")

# Lines that are page furniture even when an extractor keeps them.
_BOILERPLATE_LINE = re.compile(
    r"""^(?:
        click\ to\ (?:show|read|see)\ more | show\ more | read\ more | see\ more | load\ more
      | advertisement | advertisements? | sponsored(?:\ content)? | story\ continues\ below
      | share(?:\ this)?(?:\ article|\ story)? | share\ on\ \w+ | tweet | email | print
      | sign\ up\ for\ (?:our|the)\ .{0,40}newsletter.* | subscribe(?:\ now)?
      | (?:we\ use\ )?cookies?\ .{0,80}(?:accept|consent).* | accept(?:\ all)?(?:\ cookies)?
      | read\ the\ rules\ here | please\ report\ any\ comments\ that\ break\ our\ rules\.?
      | \d[\d,.]*\s*[km]?\s*(?:comments?|shares?|views?|likes?|reactions?|replies)
      | comments?\ \(\d+\)
    )$""",
    re.IGNORECASE | re.VERBOSE,
)

# The heading of a reader-comments block; it and what follows are dropped when near the end.
_COMMENTS_BLOCK_START = re.compile(
    r"^(?:comments?\s*:?\s*our\ rules|comment\ rules|community\ guidelines|"
    r"we\ want\ our\ comments\ to\ be|\d*\s*comments?\s*$|join\ the\ (?:conversation|discussion))",
    re.IGNORECASE | re.VERBOSE,
)
_COMMENTS_BLOCK_MAX_TAIL = 6

_RELATIVE_AGE = re.compile(
    r"\b(?:\d+|an?|one)\s*(?:seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?|wks?|"
    r"months?|years?|yrs?|[smhdwy])\s+ago\b"
    r"|\b(?:just\ now|yesterday|today)\b",
    re.IGNORECASE | re.VERBOSE,
)
_COUNTER = re.compile(
    r"\b\d[\d,.]*\s*[kKmM]?\s*(?:comments?|shares?|views?|likes?|reactions?|replies|reads?|"
    r"min(?:ute)?s?\ read)\b",
    re.IGNORECASE | re.VERBOSE,
)
# A line made of nothing but volatile tokens and the labels around them ("Published <age>").
_VOLATILE_ONLY = re.compile(
    r"<age>|<count>|\b(?:published|updated|posted|modified|last|on|at)\b", re.IGNORECASE
)
_TYPOGRAPHY = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        "\u00a0": " ",
        "\u2026": "...",
    }
)


def clean_text(text: str | None) -> str | None:
    """Unicode NFC with runs of whitespace collapsed; None and blank stay None."""
    if text is None:
        return None
    cleaned = _WHITESPACE.sub(" ", unicodedata.normalize("NFC", text)).strip()
    return cleaned or None


def is_boilerplate(line: str) -> bool:
    """Whether a line is page furniture (a button, a counter, a rules link) rather than text."""
    return bool(_BOILERPLATE_LINE.match(line))


def clean_paragraphs(lines: Iterable[str]) -> tuple[str, ...]:
    """Cleaned, non-empty, non-boilerplate paragraphs, with a trailing comments block removed."""
    paragraphs = [p for p in (clean_text(line) for line in lines) if p and not is_boilerplate(p)]
    tail_start = max(0, len(paragraphs) - _COMMENTS_BLOCK_MAX_TAIL)
    for index in range(tail_start, len(paragraphs)):
        if _COMMENTS_BLOCK_START.match(paragraphs[index]):
            return tuple(paragraphs[:index])
    return tuple(paragraphs)


def comparison_key(text: str | None) -> str:
    """The form two texts are compared in: volatile tokens, typography and case of spacing blanked."""
    if not text:
        return ""
    key = unicodedata.normalize("NFKC", text).translate(_TYPOGRAPHY)
    key = _RELATIVE_AGE.sub("<age>", key)
    key = _COUNTER.sub("<count>", key)
    return _WHITESPACE.sub(" ", key).strip()


def comparable_paragraphs(paragraphs: Iterable[str]) -> list[tuple[int, str]]:
    """(index, key) of the paragraphs that still say something once volatile tokens are blanked."""
    keyed = []
    for index, paragraph in enumerate(paragraphs):
        key = comparison_key(paragraph)
        if _VOLATILE_ONLY.sub("", key).strip(" .,:;|-·•"):
            keyed.append((index, key))
    return keyed

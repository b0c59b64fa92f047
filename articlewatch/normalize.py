"""What counts as noise, in one place: cleaning extracted text and the form versions are compared in.

Two levels:
- `clean_paragraphs` runs once at extraction: whitespace, Unicode form, and boilerplate lines
  (buttons, comment-rule blocks) that are never article text. The snapshot stores its output.
- `comparison_key` is applied to both sides of every comparison: it also blanks volatile tokens
  (relative ages, counters) and typography, so "6 years ago" -> "7 years ago" is not an edit.
  `comparable_paragraphs` then leaves out what is not article text: boilerplate wording, bare
  stamp lines and the lines learned to repeat across a site's pages (articlewatch.boilerplate).
  Because both apply at comparison time, improving them never requires rewriting snapshots.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable, Iterable
from collections.abc import Set as AbstractSet
from functools import lru_cache

from .stamps import is_stamp_line

_WHITESPACE = re.compile(r"\s+")

# Lines that are page furniture even when an extractor keeps them: buttons, ad labels, counters,
# and the headings of link blocks ("Recommended for you") whose links the extractor dropped.
_BOILERPLATE_LINE = re.compile(
    r"""^(?:
        click\ to\ (?:show|read|see)\ more | show\ more | read\ more | see\ more | load\ more
      | advertisements? | sponsored(?:\ content|\ stories|\ links)? | promoted(?:\ stories|\ content)?
      | story\ continues\ (?:below|after)(?:\ (?:this\ )?(?:advertisement|ad))?
      | (?:advertisement|ad)\ [-–—:]?\ ?(?:scroll|continue)\ (?:down\ )?to\ continue(?:\ reading)?
      | share(?:\ this)?(?:\ article|\ story)? | share\ on\ \w+ | tweet | email | print
      | sign\ up\ for\ (?:our|the)\ .{0,40}newsletter.* | subscribe(?:\ now)?
      | (?:we\ use\ )?cookies?\ .{0,80}(?:accept|consent).* | accept(?:\ all)?(?:\ cookies)?
      | (?:we|this\ (?:web)?site)\ uses?\ cookies\b.* | by\ continuing\ to\ (?:browse|use)\b.{0,120}cookies.*
      | tags? | topics? | categor(?:y|ies) | filed\ under(?::.{0,80})?
      | read\ the\ rules\ here | please\ report\ any\ comments\ that\ break\ our\ rules\.?
      | \d[\d,.]*\s*[km]?\s*(?:comments?|shares?|views?|likes?|reactions?|replies)
      | comments?\ \(\d+\)
      | recommended(?:\ for\ you|\ stories|\ articles|\ reading)? | you\ (?:may|might)\ also\ like
      | related(?:\ articles|\ stories|\ posts|\ content|\ coverage|\ news|\ links|\ topics)?
      | more\ (?:from|on|in)\ .{1,40} | more\ stories | (?:also|must)\ read | read\ (?:next|also)
      | see\ also | most\ (?:read|popular|viewed|shared|commented) | trending(?:\ now|\ stories)?
      | top\ stories | editor'?s\ picks | don'?t\ miss | around\ the\ web | latest\ (?:news|stories)
    )[.:!]?$""",
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
    # Every alternative starts with one of these: re then tries the alternatives only where
    # one stands, not at every word of a paragraph (same matches, 40% less time on the AEB text).
    r"(?=[\daojytvih])(?:"
    r"\b(?:\d+|an?|one)\s*(?:seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?|wks?|"
    r"months?|years?|yrs?|[smhdwy])\s+ago\b"
    r"|\b(?:just\ now|yesterday|today)\b"
    # vor 3 Stunden, il y a 3 heures, hace 3 horas, há 3 horas, 3 saat önce, 3 ore fa, 3 uur geleden
    r"|\b(?:vor|il\ y\ a|hace|há)\ (?:\d+|einer?|une?|un[oa]?)\ \w+"
    r"|\b\d+\ (?:saniye|dakika|saat|gün|hafta|ay|yıl)\ önce\b"
    r"|\b\d+\ (?:second[oi]|minut[oi]|or[ae]|giorn[oi]|settiman[ae]|mes[ei]|ann[oi])\ fa\b"
    r"|\b\d+\ (?:seconden|minuten|uur|dagen|weken|maanden|jaar)\ geleden\b"
    r"|\b\d+\ \w+\ назад\b"
    r")",
    re.IGNORECASE | re.VERBOSE,
)
_COUNTER = re.compile(
    r"\b\d[\d,.]*\s*[kKmM]?\s*(?:comments?|shares?|views?|likes?|reactions?|replies|reads?|"
    r"min(?:ute)?s?\ read|kommentare?|commentaires?|comentarios?|coment[aá]rios?|commenti|yorum|"
    r"reacties|комментари\w*)\b",
    re.IGNORECASE | re.VERBOSE,
)
# A line made of nothing but volatile tokens and the labels around them ("Published <age>").
_VOLATILE_ONLY = re.compile(
    r"<age>|<count>|\b(?:published|updated|posted|modified|last|on|at)\b", re.IGNORECASE
)
_BULLET = re.compile(r"^\s*[-*•·]\s+")
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
# Most paragraphs have none of them, and a search costs a fraction of str.translate's pass.
_TYPOGRAPHIC = re.compile("[" + "".join(re.escape(chr(code)) for code in _TYPOGRAPHY) + "]")


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
    """The form two texts are compared in: volatile tokens, typography, spacing and list bullets blanked."""
    if not text:
        return ""
    key = unicodedata.normalize("NFKC", text)
    if _TYPOGRAPHIC.search(key):
        key = key.translate(_TYPOGRAPHY)
    # The extractor marks list items "- "; the same text as a list item is the same text.
    key = _BULLET.sub("", key)
    key = _RELATIVE_AGE.sub("<age>", key)
    key = _COUNTER.sub("<count>", key)
    # str.split's whitespace is re's \s (both Py_UNICODE_ISSPACE): the same as collapsing each
    # run to one space and stripping, in half the time.
    return " ".join(key.split())


def line_hash(key: str) -> str:
    """A short stable hash of a paragraph's comparison key: how per-host line statistics name a line."""
    return hashlib.blake2b(key.encode("utf-8"), digest_size=8).hexdigest()


def comparable_paragraphs(
    paragraphs: Iterable[str],
    furniture: AbstractSet[str] = frozenset(),
    ignore: Callable[[str], bool] | None = None,
) -> list[tuple[int, str]]:
    """(index, key) of the paragraphs that are article text: not furniture, not a bare stamp line.

    Left out: lines that say nothing once volatile tokens are blanked ("Published <age>"), lines
    that are boilerplate by their wording, stamp lines (reported as dates, not as text), lines
    whose hash is in `furniture`, the lines learned to repeat across the pages of the site, and
    lines `ignore` takes (the headline or byline of a version compared, bodytext.MetaLines).
    """
    keyed = []
    for index, paragraph in enumerate(paragraphs):
        key = _text_key(paragraph)
        if key is None or (furniture and line_hash(key) in furniture) or (ignore and ignore(key)):
            continue
        keyed.append((index, key))
    return keyed


# A check compares each paragraph several times (fingerprints, alignment, site statistics), and
# most paragraphs recur from version to version: their keys are worth remembering.
@lru_cache(maxsize=1 << 15)
def _text_key(paragraph: str) -> str | None:
    """The comparison key of a paragraph that is article text, None for one that is not."""
    key = comparison_key(paragraph)
    if not _VOLATILE_ONLY.sub("", key).strip(" .,:;|-·•") or is_boilerplate(key) or is_stamp_line(key):
        return None
    return key

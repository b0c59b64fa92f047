"""Paragraph alignment of two versions of a body: kept, added, removed, edited, moved, split, merged. Pure.

1. SequenceMatcher over the paragraphs' comparison keys finds the kept paragraphs; what lies
   between kept runs forms changed blocks (old paragraphs out, new paragraphs in).
2. The same text elsewhere is a move.
3. Inside a block, the best-matching pairs become edits, greedily by similarity (a paragraph
   found whole inside a longer one counts as similar: text was appended): one old with one
   new paragraph, or one old with a run of two or three new ones (a split), or a run of old ones
   with one new (a merge). A block whose words are the same once joined was only re-paragraphed
   (an inline ad or image cut a paragraph in two): that is no change at all.
4. A leftover paragraph that closely matches a leftover in another block moved and was reworded.
5. The rest is removed or added.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

from .models import (
    NOTE_EDITED,
    NOTE_MERGED,
    NOTE_SPLIT,
    PARAGRAPH_ADDED,
    PARAGRAPH_EDITED,
    PARAGRAPH_MOVED,
    PARAGRAPH_REMOVED,
    ChangeItem,
)
from .normalize import comparable_paragraphs
from .notes import edit_notes, paragraph_notes

# Two paragraphs this similar (word-level ratio) are one edited paragraph, not a removal plus an
# addition. 0.5 keeps rewrites of half a paragraph as edits and unrelated paragraphs apart.
EDIT_SIMILARITY = 0.5
# A split or merge must match closely once joined, or any two neighbours would pass as one.
SPLIT_SIMILARITY = 0.8
# A paragraph found in another place with this much of its wording kept moved (and was edited).
MOVE_SIMILARITY = 0.8
# A paragraph kept whole inside a longer one was extended (or cut), however much was added.
CONTAINED_WORDS = 5
LONGEST_RUN = 3  # paragraphs one paragraph is split into (or merged from) at most
# Above this many old x new pairs in one block, runs are not tried (a rewritten page is no split).
RUN_SEARCH_LIMIT = 2500
_WORDS = re.compile(r"\w+|[^\w\s]", re.UNICODE)


@dataclass(frozen=True)
class _Para:
    index: int
    key: str
    text: str
    block: int
    words: tuple[str, ...]


@dataclass(frozen=True)
class _Pairing:
    score: float
    old: tuple[int, ...]  # positions in the block's removed list
    new: tuple[int, ...]  # positions in the block's added list


def words(text: str) -> list[str]:
    """The word and punctuation tokens similarity is measured over."""
    return _WORDS.findall(text)


def similarity(a: str, b: str) -> float:
    """Word-level similarity of two texts, 0..1."""
    return difflib.SequenceMatcher(None, words(a), words(b), autojunk=False).ratio()


def align_paragraphs(
    old: tuple[str, ...],
    new: tuple[str, ...],
    furniture: AbstractSet[str] = frozenset(),
    ignore: Callable[[str], bool] | None = None,
) -> tuple[ChangeItem, ...]:
    """Paragraph changes from old to new in reading order; `furniture` (line hashes) and `ignore`
    (a test on comparison keys) name lines that are not article text."""
    old_keyed = comparable_paragraphs(old, furniture, ignore)
    new_keyed = comparable_paragraphs(new, furniture, ignore)
    matcher = difflib.SequenceMatcher(
        None, [key for _, key in old_keyed], [key for _, key in new_keyed], autojunk=False
    )
    blocks: list[tuple[list[_Para], list[_Para]]] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        block = len(blocks)
        blocks.append(
            (
                [_Para(i, key, old[i], block, tuple(words(key))) for i, key in old_keyed[i1:i2]],
                [_Para(j, key, new[j], block, tuple(words(key))) for j, key in new_keyed[j1:j2]],
            )
        )
    items = _moves(blocks)
    leftover_old: list[_Para] = []
    leftover_new: list[_Para] = []
    for removed, added in blocks:
        paired, rest_old, rest_new = _pair_block(removed, added)
        items += paired
        leftover_old += rest_old
        leftover_new += rest_new
    items += _edited_moves(leftover_old, leftover_new)
    items += [
        ChangeItem(PARAGRAPH_REMOVED, p.text, None, position=p.index, notes=paragraph_notes(p.key))
        for p in leftover_old
    ]
    items += [
        ChangeItem(PARAGRAPH_ADDED, None, p.text, position=p.index, notes=paragraph_notes(p.key))
        for p in leftover_new
    ]
    # Reading order of the new version; removals sort by where they stood in the old one.
    return tuple(sorted(items, key=lambda item: (item.position or 0, item.kind != PARAGRAPH_REMOVED)))


def _moves(blocks: list[tuple[list[_Para], list[_Para]]]) -> list[ChangeItem]:
    """Paragraphs whose exact text left one place and arrived in another (taken out of the blocks)."""
    arrivals: dict[str, list[_Para]] = {}
    for _, added in blocks:
        for para in added:
            arrivals.setdefault(para.key, []).append(para)
    items = []
    for removed, _ in blocks:
        for gone in list(removed):
            twins = arrivals.get(gone.key)
            if not twins:
                continue
            twin = twins.pop(0)
            removed.remove(gone)
            blocks[twin.block][1].remove(twin)
            items.append(ChangeItem(PARAGRAPH_MOVED, gone.text, twin.text, position=twin.index))
    return items


def _pair_block(
    removed: list[_Para], added: list[_Para]
) -> tuple[list[ChangeItem], list[_Para], list[_Para]]:
    """Edits (single, split, merged) inside one changed block; returns them and the unpaired rest."""
    if not removed or not added:
        return [], removed, added
    if [w for p in removed for w in p.words] == [w for p in added for w in p.words]:
        return [], [], []  # re-paragraphed, not reworded
    used_old: set[int] = set()
    used_new: set[int] = set()
    items: list[ChangeItem] = []
    for pairing in sorted(_candidates(removed, added), key=lambda c: -c.score):
        if used_old.intersection(pairing.old) or used_new.intersection(pairing.new):
            continue
        used_old.update(pairing.old)
        used_new.update(pairing.new)
        items.append(_edit(tuple(removed[i] for i in pairing.old), tuple(added[j] for j in pairing.new)))
    rest_old = [p for i, p in enumerate(removed) if i not in used_old]
    rest_new = [p for j, p in enumerate(added) if j not in used_new]
    return items, rest_old, rest_new


def _candidates(removed: list[_Para], added: list[_Para]) -> list[_Pairing]:
    """Every pairing in a block that is similar enough: single pairs, splits and merges."""
    found = []
    matcher = difflib.SequenceMatcher(None, autojunk=False)
    for j, new in enumerate(added):
        matcher.set_seq2(new.words)  # the expensive side is analysed once per new paragraph
        for i, old in enumerate(removed):
            score = _ratio(matcher, old.words, EDIT_SIMILARITY)
            if score is None and _contains(old.words, new.words):
                score = EDIT_SIMILARITY  # text added to (or cut from) a paragraph that stays
            if score is not None:
                found.append(_Pairing(score, (i,), (j,)))
    if len(removed) * len(added) > RUN_SEARCH_LIMIT:
        return found
    for i, old in enumerate(removed):  # splits: one old paragraph, a run of new ones
        for run in _runs(added):
            score = _joined_ratio(old.words, [added[j].words for j in run])
            if score is not None:
                found.append(_Pairing(score, (i,), run))
    for j, new in enumerate(added):  # merges: a run of old paragraphs, one new one
        for run in _runs(removed):
            score = _joined_ratio(new.words, [removed[i].words for i in run])
            if score is not None:
                found.append(_Pairing(score, run, (j,)))
    return found


def _contains(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """Whether the shorter word sequence (CONTAINED_WORDS or more) runs unbroken inside the longer."""
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    if len(short) < CONTAINED_WORDS:
        return False
    separator = "\x00"  # never inside a word: joins words so only whole words match
    needle = separator + separator.join(short) + separator
    return needle in separator + separator.join(long) + separator


def _runs(paras: list[_Para]) -> list[tuple[int, ...]]:
    """Positions of consecutive paragraphs (adjacent in their version), two to LONGEST_RUN long."""
    runs = []
    for start in range(len(paras)):
        for length in range(2, LONGEST_RUN + 1):
            end = start + length
            if end > len(paras) or paras[end - 1].index - paras[start].index != length - 1:
                break
            runs.append(tuple(range(start, end)))
    return runs


def _joined_ratio(single: tuple[str, ...], parts: list[tuple[str, ...]]) -> float | None:
    joined = [w for part in parts for w in part]
    matcher = difflib.SequenceMatcher(None, single, joined, autojunk=False)
    return _ratio(matcher, single, SPLIT_SIMILARITY)


def _ratio(matcher: difflib.SequenceMatcher[str], first: tuple[str, ...], floor: float) -> float | None:
    """The matcher's ratio with `first` as its first sequence, or None below floor (cheap bounds first)."""
    matcher.set_seq1(first)
    if matcher.real_quick_ratio() < floor or matcher.quick_ratio() < floor:
        return None
    score = matcher.ratio()
    return score if score >= floor else None


def _edit(olds: tuple[_Para, ...], news: tuple[_Para, ...]) -> ChangeItem:
    before = "\n".join(p.text for p in olds)
    after = "\n".join(p.text for p in news)
    shape = (NOTE_SPLIT,) if len(news) > 1 else (NOTE_MERGED,) if len(olds) > 1 else ()
    notes = shape + edit_notes(" ".join(p.key for p in olds), " ".join(p.key for p in news))
    return ChangeItem(PARAGRAPH_EDITED, before, after, position=news[0].index, notes=notes)


def _edited_moves(removed: list[_Para], added: list[_Para]) -> list[ChangeItem]:
    """Leftovers that reappear, reworded, in another block: moved and edited (taken out of the lists)."""
    items = []
    matcher = difflib.SequenceMatcher(None, autojunk=False)
    for gone in list(removed):
        best: tuple[float, _Para] | None = None
        for arrival in added:
            if arrival.block == gone.block:
                continue
            matcher.set_seq2(arrival.words)
            score = _ratio(matcher, gone.words, MOVE_SIMILARITY)
            if score is not None and (best is None or score > best[0]):
                best = (score, arrival)
        if best is None:
            continue
        arrival = best[1]
        removed.remove(gone)
        added.remove(arrival)
        notes = (NOTE_EDITED, *edit_notes(gone.key, arrival.key))
        items.append(
            ChangeItem(PARAGRAPH_MOVED, gone.text, arrival.text, position=arrival.index, notes=notes)
        )
    return items

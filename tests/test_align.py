"""Paragraph alignment on real-page shapes: splits, merges, re-paragraphing, moves with edits."""

from __future__ import annotations

from article_pages import BODY

from articlewatch.align import align_paragraphs
from articlewatch.models import NOTE_EDITED, NOTE_MERGED, NOTE_NUMBER, NOTE_SPLIT


def changes(new: tuple[str, ...], old: tuple[str, ...] = BODY) -> list[tuple[str, tuple[str, ...]]]:
    return [(item.kind, item.notes) for item in align_paragraphs(old, new)]


def split(paragraph: str) -> tuple[str, str]:
    sentences = paragraph.split(". ", 1)
    return sentences[0] + ".", sentences[1]


def test_an_ad_cutting_a_paragraph_in_two_is_no_change() -> None:
    assert changes((*BODY[:1], *split(BODY[1]), *BODY[2:])) == []


def test_two_paragraphs_run_together_is_no_change() -> None:
    assert changes((*BODY[:3], BODY[3] + " " + BODY[4])) == []


def test_a_split_with_an_edit_is_one_edit_noted_split() -> None:
    first, second = split(BODY[1])
    new = (*BODY[:1], first.replace("next spring", "next summer"), second, *BODY[2:])
    [item] = align_paragraphs(BODY, new)
    assert (item.kind, item.notes, item.before, item.after) == (
        "paragraph_edited",
        (NOTE_SPLIT,),
        BODY[1],
        new[1] + "\n" + new[2],
    )
    assert item.position == 1


def test_a_merge_with_an_edit_is_one_edit_noted_merged() -> None:
    merged = (BODY[3] + " " + BODY[4]).replace("two miles", "3 miles")
    [item] = align_paragraphs(BODY, (*BODY[:3], merged))
    assert item.kind == "paragraph_edited" and item.notes == (NOTE_MERGED, NOTE_NUMBER)
    assert item.before == BODY[3] + "\n" + BODY[4] and item.after == merged


def test_edits_next_to_each_other_pair_by_similarity() -> None:
    new = (
        BODY[0],
        BODY[1].replace("Mayor", "Deputy mayor"),
        BODY[2].replace("12 million", "13 million"),
        *BODY[3:],
    )
    items = align_paragraphs(BODY, new)
    assert [(i.kind, i.before, i.after) for i in items] == [
        ("paragraph_edited", BODY[1], new[1]),
        ("paragraph_edited", BODY[2], new[2]),
    ]


def test_a_moved_paragraph_that_was_also_reworded() -> None:
    reworded = BODY[1].replace("next spring", "in the spring")
    new = (BODY[0], *BODY[2:], reworded)
    [item] = align_paragraphs(BODY, new)
    assert (item.kind, item.before, item.after, item.position) == ("paragraph_moved", BODY[1], reworded, 4)
    assert item.notes == (NOTE_EDITED,)


def test_a_moved_paragraph_keeps_its_text() -> None:
    assert changes((BODY[0], *BODY[2:], BODY[1])) == [("paragraph_moved", ())]


def test_unrelated_replacement_is_removal_plus_addition() -> None:
    new = (*BODY[:4], "Tickets for the opening concert go on sale on Friday at the town hall box office.")
    assert sorted(changes(new)) == [("paragraph_added", ()), ("paragraph_removed", ())]

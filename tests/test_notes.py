"""Notes on changes: numbers, quotations and names inside edits; corrections and editor's notes."""

from __future__ import annotations

import pytest

from articlewatch.align import align_paragraphs
from articlewatch.notes import edit_notes, paragraph_notes

BEFORE = 'Mayor Elena Ruiz said the park would cost 12 million dollars. "It is for every family," she said.'


@pytest.mark.parametrize(
    ("after", "notes"),
    [
        (BEFORE.replace("12", "14"), ("number",)),
        (BEFORE.replace("every family", "every child"), ("quote",)),
        (BEFORE.replace("Elena Ruiz", "Tom Walsh"), ("name",)),
        (BEFORE.replace("would cost", "would reportedly cost"), ()),
        (BEFORE.replace("12 million dollars", "14 million dollars, Ruiz's deputy"), ("number", "name")),
    ],
    ids=["number", "quote", "name", "plain-word", "number-and-name"],
)
def test_edit_notes(after: str, notes: tuple[str, ...]) -> None:
    assert edit_notes(BEFORE, after) == notes


@pytest.mark.parametrize(
    ("paragraph", "notes"),
    [
        ("Correction: An earlier version of this article misstated the budget.", ("correction",)),
        ("This story has been corrected to show the vote was 7-2.", ("correction",)),
        ("CLARIFICATION: The park will open in stages.", ("correction",)),
        ("Berichtigung: In einer früheren Fassung hieß es 12 Millionen.", ("correction",)),
        ("Editor's note: This article was updated with the final vote.", ("editors_note",)),
        ("Anmerkung der Redaktion: Der Artikel wurde ergänzt.", ("editors_note",)),
        ("The correction of the river bank will take two years.", ()),
    ],
)
def test_paragraph_notes(paragraph: str, notes: tuple[str, ...]) -> None:
    assert paragraph_notes(paragraph) == notes


def test_an_appended_correction_is_flagged_on_the_added_paragraph() -> None:
    old = ("First paragraph of the story here.", "Second paragraph of the story here.")
    correction = "Correction: An earlier version of this story gave the wrong date for the vote."
    [item] = align_paragraphs(old, (*old, correction))
    assert (item.kind, item.after, item.notes) == ("paragraph_added", correction, ("correction",))

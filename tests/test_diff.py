"""Paragraph alignment and metadata diff: edit vs remove+add, moves, noise."""

from __future__ import annotations

import pytest

from articlewatch.diff import align_paragraphs, diff_articles, fingerprint, same_moment, word_diff
from articlewatch.models import Article
from articlewatch.normalize import comparison_key, line_hash

BODY = (
    "The White House on Thursday said President Donald Trump would not accept the offer.",
    "During the Helsinki summit, Putin offered to permit U.S. investigators to interrogate Russians.",
    "Sanders said the president would work with his team to assess it.",
    "A wide range of observers were outraged by the idea.",
)


def kinds(old: tuple[str, ...], new: tuple[str, ...]) -> list[str]:
    return [item.kind for item in align_paragraphs(old, new)]


CASES = [
    ("identical", BODY, []),
    ("added at end", BODY + ("The Senate voted 98-0 on the resolution.",), ["paragraph_added"]),
    (
        "added in middle",
        BODY[:2] + ("A new paragraph about the Senate vote.",) + BODY[2:],
        ["paragraph_added"],
    ),
    ("removed", BODY[:1] + BODY[2:], ["paragraph_removed"]),
    ("edited number", BODY[:3] + (BODY[3].replace("wide", "narrow"),), ["paragraph_edited"]),
    ("moved", BODY[1:] + BODY[:1], ["paragraph_moved"]),
    ("whitespace only", tuple("  ".join(p.split(" ")) for p in BODY), []),
    ("curly quotes only", BODY[:3] + (BODY[3].replace("idea", "\u201cidea\u201d"),), ["paragraph_edited"]),
    ("relative age only", BODY + ("Published 6 years ago",), []),
    (
        "replaced by unrelated",
        BODY[:3] + ("Completely different words about football results today.",),
        ["paragraph_removed", "paragraph_added"],
    ),
]


@pytest.mark.parametrize(("name", "new", "expected"), CASES, ids=[c[0] for c in CASES])
def test_alignment(name: str, new: tuple[str, ...], expected: list[str]) -> None:
    assert sorted(kinds(BODY, new)) == sorted(expected)


def test_relative_age_change_is_noise() -> None:
    old = BODY + ("Published 6 years ago · 12 comments",)
    new = BODY + ("Published 7 years ago · 15 comments",)
    assert kinds(old, new) == []


def test_edit_keeps_before_and_after_and_position() -> None:
    new = BODY[:1] + (BODY[1].replace("Helsinki", "Finnish"),) + BODY[2:]
    [item] = align_paragraphs(BODY, new)
    assert (item.kind, item.before, item.after, item.position) == ("paragraph_edited", BODY[1], new[1], 1)


def test_metadata_kinds_and_significance() -> None:
    old = Article(
        title="A",
        author="X",
        published="2018-07-20",
        updated=None,
        sitename="RT",
        description="d",
        tags=("a",),
        paragraphs=BODY,
    )
    new = Article(
        title="B",
        author="Y",
        published="2018-07-21",
        updated="2018-07-22T10:00",
        sitename="RT News",
        description="d",
        tags=("a", "b"),
        paragraphs=BODY,
    )
    items = diff_articles(old, new)
    assert [i.kind for i in items] == ["title", "author", "published", "updated", "metadata", "metadata"]
    assert [i.field for i in items if i.kind == "metadata"] == ["sitename", "tags"]
    assert items[-1].before == "tags: a" and items[-1].after == "tags: a, b"
    assert [i.significant for i in items] == [True, True, True, True, False, False]


def test_fingerprint_ignores_noise_but_not_edits() -> None:
    base = Article(title="Headline", paragraphs=BODY + ("6 years ago",))
    noisy = Article(title="Headline ", paragraphs=tuple(p + "  " for p in BODY) + ("7 years ago",))
    edited = Article(title="Headline", paragraphs=BODY[:3] + ("A narrow range of observers.",))
    assert fingerprint(base) == fingerprint(noisy)
    assert fingerprint(base) != fingerprint(edited)


def test_word_diff_marks_only_the_changed_words() -> None:
    runs = word_diff("12 Russians were indicted last week", "13 Russians were indicted on Friday")
    assert ("delete", "12 ") in runs and ("insert", "13 ") in runs
    assert ("insert", "on Friday") in runs
    rebuilt = "".join(text for op, text in runs if op != "delete")
    assert rebuilt == "13 Russians were indicted on Friday"


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("2019-11-18T21:38:02+00:00", "2019-11-18T21:38", True),
        ("2019-11-18T21:38+00:00", "2019-11-18T21:38:00", True),
        ("2019-11-18", "2019-11-18T21:38+00:00", True),
        ("2019-11-18T21:38+00:00", "2019-11-18T22:38+01:00", True),
        ("2019-11-18T21:38+00:00", "2019-11-18T21:39+00:00", False),
        ("2019-11-18", "2019-11-19", False),
        (None, "2019-11-19", False),
    ],
)
def test_dates_compare_as_moments(a: str | None, b: str | None, same: bool) -> None:
    assert same_moment(a, b) is same
    old, new = Article(title="T", updated=a, paragraphs=BODY), Article(title="T", updated=b, paragraphs=BODY)
    assert [i.kind for i in diff_articles(old, new)] == ([] if same else ["updated"])


def test_a_dateline_moving_with_the_date_is_reported_once() -> None:
    def dated(day: int) -> tuple[str, ...]:
        return (f"Posted October {day}, 2018 — {BODY[0]}", *BODY[1:])

    old = Article(title="T", published="2018-10-09", paragraphs=dated(9))
    new = Article(title="T", published="2018-10-08", paragraphs=dated(8))
    assert [i.kind for i in diff_articles(old, new)] == ["published"]


def test_a_headline_edit_carries_notes() -> None:
    old = Article(title="Council approves 12 million dollar park", paragraphs=BODY)
    new = Article(title="Council approves 14 million dollar park", paragraphs=BODY)
    [item] = diff_articles(old, new)
    assert (item.kind, item.notes) == ("title", ("number",))


def test_site_furniture_lines_are_left_out_of_both_sides() -> None:
    promo = "Get our morning briefing in your inbox every weekday."
    old = Article(title="T", paragraphs=(*BODY, promo))
    new = Article(title="T", paragraphs=BODY)
    furniture = frozenset({line_hash(comparison_key(promo))})
    assert fingerprint(old, furniture) == fingerprint(new, furniture) != fingerprint(old)
    assert diff_articles(old, new, furniture) == ()
    assert [i.kind for i in diff_articles(old, new)] == ["paragraph_removed"]

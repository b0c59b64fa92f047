"""Noise rules: what is cleaned away at extraction and blanked at comparison."""

from __future__ import annotations

import re

import pytest

from articlewatch.normalize import (
    _RELATIVE_AGE,
    clean_paragraphs,
    comparable_paragraphs,
    comparison_key,
    is_boilerplate,
    line_hash,
)


@pytest.mark.parametrize(
    "line",
    [
        "Click to show more",
        "Advertisement",
        "1,234 comments",
        "12K shares",
        "Read the rules here",
        "Please report any comments that break our rules.",
    ],
)
def test_boilerplate_lines(line: str) -> None:
    assert is_boilerplate(line)


@pytest.mark.parametrize("line", ["The Senate voted 98-0.", "Comments by the minister were harsh."])
def test_article_lines_are_not_boilerplate(line: str) -> None:
    assert not is_boilerplate(line)


def test_trailing_comment_rules_block_is_dropped() -> None:
    lines = [
        "First paragraph.",
        "Second paragraph.",
        "Comments: Our rules",
        "We want our comments to be a lively and valuable part of our community.",
        "Please report any comments that break our rules.",
        "Read the rules here",
    ]
    assert clean_paragraphs(lines) == ("First paragraph.", "Second paragraph.")


def test_whitespace_and_unicode_form_are_cleaned() -> None:
    assert clean_paragraphs(["  Cafe\u0301   au  lait \n", "", "   "]) == ("Caf\u00e9 au lait",)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("6 years ago", "7 years ago"),
        ("Posted 3 hours ago", "Posted 5 hours ago"),
        ("12 comments", "15 comments"),
        ("\u201cquoted\u201d \u2014 text", '"quoted" - text'),
    ],
)
def test_volatile_tokens_compare_equal(a: str, b: str) -> None:
    assert comparison_key(a) == comparison_key(b)


def test_numbers_in_text_still_differ() -> None:
    assert comparison_key("The vote was 98-0.") != comparison_key("The vote was 97-1.")


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("vor 3 Stunden", "vor 5 Stunden"),
        ("il y a 2 heures", "il y a 3 heures"),
        ("hace 2 días", "hace 3 días"),
        ("3 saat önce", "4 saat önce"),
        ("12 Kommentare", "15 Kommentare"),
        ("- A list item", "A list item"),
    ],
)
def test_volatile_tokens_in_other_languages_and_list_bullets(a: str, b: str) -> None:
    assert comparison_key(a) == comparison_key(b)


@pytest.mark.parametrize(
    "line",
    [
        "Recommended for you",
        "Story continues below advertisement",
        "More from Reuters",
        "Tags:",
        "We use cookies to improve your experience. By continuing to browse you agree to our use of cookies.",
    ],
)
def test_furniture_wording(line: str) -> None:
    assert is_boilerplate(line)


def test_comparable_paragraphs_leave_out_stamps_counters_and_site_furniture() -> None:
    text = "The council voted 7-2 on Tuesday to approve the park."
    promo = "Get our morning briefing in your inbox."
    lines = [text, "Updated: 20 November 2019 10:15", "12 comments", "Recommended for you", promo]
    assert [key for _, key in comparable_paragraphs(lines)] == [text, promo]
    furniture = frozenset({line_hash(comparison_key(promo))})
    assert comparable_paragraphs(lines, furniture) == [(0, text)]


# The spellings each alternative of the relative-age pattern reads, in the case forms re folds.
RELATIVE_AGES = [
    "5 minutes ago",
    "an hour ago",
    "One day ago",
    "3 yrs ago",
    "2h ago",
    "just now",
    "Yesterday",
    "TODAY",
    "vor 3 Stunden",
    "vor einer Woche",
    "il y a 2 heures",
    "Il y a une heure",
    "hace 3 horas",
    "Hace un día",
    "há 2 horas",
    "HÁ 2 HORAS",
    "3 saat önce",
    "2 GÜN ÖNCE",
    "3 ore fa",
    "2 giorni fa",
    "3 uur geleden",
    "4 dagen geleden",
    "3 дня назад",
    "٣ days ago",
    "JUST NOW",
    "Yesterday's",
    "a minute ago",
]
# Characters re's IGNORECASE folds onto a first letter: the lookahead must fold them the same way.
FOLDED_STARTS = ["ıl y a 2 heures", "İl y a 2 heures", "K days ago", "ſ"]


@pytest.mark.parametrize("age", RELATIVE_AGES + FOLDED_STARTS)
def test_the_relative_age_lookahead_changes_no_match(age: str) -> None:
    # _RELATIVE_AGE is the pattern behind a lookahead for its alternatives' first characters
    without = re.compile(_RELATIVE_AGE.pattern.removeprefix(r"(?=[\daojytvih])"), _RELATIVE_AGE.flags)
    for text in (age, f"Posted {age}.", f"x{age}", f"{age.upper()} and {age.lower()}"):
        assert _RELATIVE_AGE.sub("<age>", text) == without.sub("<age>", text)
    assert "<age>" in _RELATIVE_AGE.sub("<age>", f"Posted {age}") or age in FOLDED_STARTS


def test_str_split_whitespace_is_the_whitespace_re_collapses() -> None:
    # comparison_key collapses whitespace with str.split: the same characters as re's \s
    space = re.compile(r"\s")
    assert [c for c in map(chr, range(0x110000)) if bool(space.match(c)) != c.isspace()] == []
    assert comparison_key("\u2003A\u00a0 b\t\n c\u3000 \x1cd\x85 ") == "A b c d"

"""Noise rules: what is cleaned away at extraction and blanked at comparison."""

from __future__ import annotations

import pytest

from articlewatch.normalize import clean_paragraphs, comparison_key, is_boilerplate


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

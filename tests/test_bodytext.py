"""Which extracted lines are the article's body: headline, bylines, teasers, own address are not."""

from __future__ import annotations

import sys
import unicodedata

import lxml.html
import pytest
from article_pages import BODY, TITLE, article_page

from articlewatch.bodytext import _has_text, body_paragraphs
from articlewatch.extract import extract_article
from articlewatch.normalize import clean_text

URL = "http://news.example/2019/11/19/park"
CANONICAL = "https://www.news.example/2019/11/19/park"


def body(
    lines: tuple[str, ...], page: str = "<html><body></body></html>", author: str | None = None
) -> tuple[str, ...]:
    tree = lxml.html.document_fromstring(page)
    return body_paragraphs("\n".join(lines), None, tree, URL, CANONICAL, TITLE + " - The Times", author)


def _list(hrefs_and_texts: list[tuple[str, str]]) -> str:
    items = "".join(f"<li><a href='{href}'>{text}</a></li>" for href, text in hrefs_and_texts)
    return f"<html><body><ul>{items}</ul></body></html>"


def test_a_list_of_the_sites_other_articles_is_not_text() -> None:
    teasers = [(f"/2019/11/{n}/story", f"Another story from the paper, number {n}") for n in range(3)]
    canonical_host = [
        (f"https://www.news.example/{n}", f"Yet another story of the day {n}") for n in range(3)
    ]
    for links in (teasers, canonical_host):
        lines = tuple(f"- {text}" for _, text in links)
        assert body((*BODY, *lines), _list(links)) == BODY


def test_a_list_of_links_elsewhere_or_of_short_items_is_text() -> None:
    elsewhere = [(f"https://data.example/{n}", f"Council minutes for meeting number {n}") for n in range(3)]
    products = [(f"/shop/{n}", f"Widget {n}") for n in range(3)]
    for links in (elsewhere, products):
        lines = tuple(f"- {text}" for _, text in links)
        assert body((*BODY, *lines), _list(links)) == (*BODY, *lines)


def test_a_link_no_browser_could_follow_makes_a_list_text_not_a_crash() -> None:
    broken = [
        ("http://[x", "Council minutes for meeting number 1"),
        *[(f"/2019/{n}", f"Story {n} of the day") for n in range(2)],
    ]
    lines = tuple(f"- {text}" for _, text in broken)
    assert body((*BODY, *lines), _list(broken)) == (*BODY, *lines)


@pytest.mark.parametrize(
    ("line", "author"),
    [
        ("By Sam Porter", "Sam Porter"),
        ("Robert Burns, AP National Security Writer", "Robert Burns; Ap National Security Writer"),
        ("Staff Reports", "Staff Reports"),
        ("Pamela Wilsonbigbrandsystem", "Pamela Wilson"),
    ],
)
def test_the_byline_as_a_line_is_the_author_field(line: str, author: str) -> None:
    assert body((line, *BODY), author=author) == BODY


def test_a_sentence_about_the_author_is_text() -> None:
    line = "Sam Porter has covered the city council for the paper since 2012 and lives by the river."
    assert body((*BODY, line), author="Sam Porter") == (*BODY, line)


def test_the_headline_with_or_without_the_site_name_is_the_title_field() -> None:
    assert body((TITLE, *BODY, TITLE + " - The Times")) == BODY


def test_the_pages_own_address_as_a_line_is_not_text() -> None:
    assert body((*BODY, URL + "?share=1", CANONICAL)) == BODY
    other = "https://data.example/minutes.pdf"
    assert body((*BODY, other)) == (*BODY, other)


def test_extraction_applies_the_rules() -> None:
    page = article_page(
        BODY, above="<p>By Sam Porter</p>", byline="", head='<meta name="author" content="Sam Porter">'
    )
    article = extract_article(page, URL)
    assert article.author == "Sam Porter" and article.paragraphs == BODY


def test_has_text_agrees_with_clean_text() -> None:
    everything = [chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c < 0xE000]
    spaces = [c for c in everything if c.isspace()]
    # clean_text drops whitespace only; its NFC turns whitespace (alone or next to whitespace)
    # into nothing else, and no other character into whitespace: a decomposition of whitespace
    # only, or a composite that is whitespace, would.
    assert all(unicodedata.normalize("NFC", a + b).isspace() for a in spaces for b in spaces)
    assert not any(unicodedata.normalize("NFD", c).isspace() for c in everything if not c.isspace())
    assert all(len(unicodedata.normalize("NFD", c)) == 1 for c in spaces)
    for text in ["", " ", "\u2000\u3000\n", " a ", "\u0301", " \u00a8 ", "\u200b", *spaces]:
        assert _has_text(text) == (clean_text(text) is not None), repr(text)

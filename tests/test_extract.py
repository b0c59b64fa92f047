"""Extraction of the seed pages: body paragraphs without furniture or comments, metadata, stamps."""

from __future__ import annotations

import htmldate
import pytest
import trafilatura
from article_pages import BODY, TITLE, article_page

from articlewatch.demo.articles import DemoArticle, later_versions
from articlewatch.demo.pages import render_page
from articlewatch.errors import ExtractionError
from articlewatch.extract import extract_article

BASE = "http://127.0.0.1:8765"


def extract(article: DemoArticle):  # noqa: ANN201 - the Article type is the subject
    return extract_article(render_page(article, BASE), BASE + article.path)


@pytest.mark.parametrize("slug", ["rt", "yenisafak", "cnbc", "ukpaper"])
def test_seed_body_is_the_article_and_nothing_else(seeds: dict[str, DemoArticle], slug: str) -> None:
    article = extract(seeds[slug])
    text = "\n".join(article.paragraphs)
    for paragraph in seeds[slug].paragraphs[1:]:
        assert paragraph in text
    for related in seeds[slug].furniture.related:
        assert related not in text
    assert "cookies" not in text.lower()
    assert "Our rules" not in text and "Click to show more" not in text
    assert article.title == seeds[slug].title


def test_yeni_safak_update_stamp_is_found_day_first(seeds: dict[str, DemoArticle]) -> None:
    first = extract(seeds["yenisafak"])
    later = extract(later_versions(seeds)["yenisafak"])
    assert first.published == "2018-07-20T09:47"
    assert first.updated is None
    assert later.updated == "2018-08-07T17:48"  # 7/08/2018 is 7 August on this site
    assert later.paragraphs == first.paragraphs


def test_trafilatura_and_htmldate_alone_miss_the_yeni_safak_stamp(seeds: dict[str, DemoArticle]) -> None:
    html = render_page(later_versions(seeds)["yenisafak"], BASE)
    document = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False)
    assert document is not None and not str(document.date).startswith("2018-08-07")
    found = htmldate.find_date(html, original_date=False, extensive_search=True)
    assert not str(found).startswith("2018-08-07")


def test_json_ld_and_meta_dates_keep_their_offsets(seeds: dict[str, DemoArticle]) -> None:
    cnbc = extract(seeds["cnbc"])
    assert cnbc.published is not None and cnbc.published.startswith("2018-07-19T")
    assert cnbc.updated == "2018-07-19T13:47-04:00"


def test_metadata_fields(seeds: dict[str, DemoArticle]) -> None:
    article = extract(seeds["ukpaper"])
    assert article.author and "Press Association" in article.author
    assert article.language == "en-GB"
    assert article.canonical_url == BASE + seeds["ukpaper"].path
    assert article.sitename


@pytest.mark.parametrize(
    "html",
    ["<html><body><nav><a href='/'>Home</a></nav></body></html>", "<html></html>", "\x00\x01garbage"],
)
def test_page_without_article_is_an_extraction_error(html: str) -> None:
    with pytest.raises(ExtractionError, match="http://x.example/a"):
        extract_article(html, "http://x.example/a")


def _page(above: str = "", below: str = "", title: str = TITLE) -> str:
    return article_page(BODY, above=above, below=below, title=title)


def test_the_heading_of_a_dropped_link_block_is_not_text() -> None:
    links = "".join(f"<li><a href='/story/{n}'>Other story number {n} of the day</a></li>" for n in range(5))
    article = extract_article(_page(below=f"<h3>Around the site</h3><ul>{links}</ul>"), "http://x.example/a")
    assert article.paragraphs == BODY


def test_menu_labels_stacked_above_the_text_are_not_text() -> None:
    above = "<h2>Sections</h2><h2>Local news</h2><h4>Top stories</h4>"
    assert extract_article(_page(above=above), "http://x.example/a").paragraphs == BODY


def test_the_headline_repeated_in_the_body_is_the_title_only() -> None:
    above = f"<h2>{TITLE}</h2>"
    article = extract_article(
        _page(above=above, title=TITLE + " - The Riverside Times"), "http://x.example/a"
    )
    assert article.paragraphs == BODY


def test_reader_comments_are_never_article_text() -> None:
    comments = (
        "<section id='comments' class='comments-area'><h3>2 Comments</h3>"
        "<div class='comment'><p class='comment-author'>Leyla</p>"
        "<p>The real question is what was agreed behind closed doors.</p></div>"
        "<div class='comment'><p class='comment-author'>Bob</p>"
        "<p>Great news for the kids in our street!</p></div>"
        "</section>"
    )
    article = extract_article(_page(below=comments), "http://x.example/a")
    assert article.paragraphs == BODY

"""HTML -> Article: trafilatura for the text and metadata, stamps.py for the dates. Pure: never fetches."""

from __future__ import annotations

from typing import Any

import lxml.html
import trafilatura
from trafilatura.utils import load_html

from .errors import ExtractionError
from .models import Article
from .normalize import clean_paragraphs, clean_text, comparison_key
from .stamps import find_page_dates

# Recorded in every snapshot: a change of extractor or options re-baselines the comparison,
# so it must be visible in the data. deduplicate stays off: its process-wide cache changes the
# output of a page seen several times. Comments are never article text.
EXTRACTION_OPTIONS: dict[str, Any] = {
    "with_metadata": True,
    "include_comments": False,
    "include_tables": True,
    "deduplicate": False,
    "favor_precision": False,
    "favor_recall": False,
}
# Less body text than this is a navigation page, an error page or an empty shell, not an article.
MIN_ARTICLE_CHARS = 50
EXTRACTOR_INFO: dict[str, Any] = {
    "name": "trafilatura",
    "version": trafilatura.__version__,
    "options": EXTRACTION_OPTIONS,
}


def extract_article(html: str, url: str) -> Article:
    """The article on a page; ExtractionError when the page holds no article text."""
    tree = load_html(html)
    if tree is None:
        raise ExtractionError(f"{url}: not parseable as HTML")
    language = _page_language(tree)
    # Dates first: trafilatura prunes the tree it is given, stamps need the page as served.
    dates = find_page_dates(html, tree, language)
    try:
        document = trafilatura.bare_extraction(tree, url=url, **EXTRACTION_OPTIONS)
    except Exception as exc:  # trafilatura raises assorted lxml/parsing errors on broken markup
        raise ExtractionError(f"{url}: extraction failed ({type(exc).__name__}: {exc})") from exc
    if document is None or isinstance(document, dict):
        raise ExtractionError(f"{url}: no article text found")
    title = clean_text(document.title)
    description = clean_text(document.description)
    paragraphs = _without_repeated_headline(clean_paragraphs((document.text or "").split("\n")), title)
    text_length = sum(len(p) for p in paragraphs)
    if text_length < MIN_ARTICLE_CHARS:
        raise ExtractionError(f"{url}: no article text found ({text_length} characters of text)")
    return Article(
        title=title,
        author=clean_text(document.author),
        published=dates.published or _iso_day(document.date),
        updated=dates.updated,
        sitename=clean_text(document.sitename),
        language=language,
        description=description,
        canonical_url=clean_text(document.url),
        tags=tuple(sorted({t for t in (clean_text(tag) for tag in document.tags or ()) if t})),
        paragraphs=paragraphs,
    )


def _without_repeated_headline(paragraphs: tuple[str, ...], title: str | None) -> tuple[str, ...]:
    # Some layouts put the headline inside the article element, so the extractor returns it as
    # the first paragraph; it is the title field already, and a headline edit is one change.
    # (Not the description: sites often reuse the lede as meta description, and it is text.)
    if title and len(paragraphs) > 1 and comparison_key(paragraphs[0]) == comparison_key(title):
        return paragraphs[1:]
    return paragraphs


def _page_language(tree: lxml.html.HtmlElement) -> str | None:
    for xpath in (
        "/html/@lang",
        "/html/@xml:lang",
        "//meta[@http-equiv='content-language']/@content",
        "//meta[@property='og:locale']/@content",
    ):
        try:
            values = tree.xpath(xpath)
        except lxml.etree.XPathError:
            continue
        for value in values:
            language = str(value).strip().replace("_", "-")
            if language:
                return language
    return None


def _iso_day(value: str | None) -> str | None:
    return value[:10] if value else None

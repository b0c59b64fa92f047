"""HTML -> Article: trafilatura for the text and metadata, stamps.py for the dates. Pure: never fetches."""

from __future__ import annotations

from typing import Any

import lxml.html
import trafilatura
from trafilatura import utils as trafilatura_utils
from trafilatura.utils import load_html

from .bodytext import body_paragraphs
from .element_classes import use_c_element_lookup
from .errors import ExtractionError
from .health import check_page
from .models import Article
from .normalize import clean_text
from .page_metadata import publication_day, read_metadata
from .stamps import find_page_dates, is_date_words

# Recorded in every snapshot: a version written under other options (or another trafilatura)
# is extracted again from its raw HTML before it is compared (rebaseline.py). deduplicate stays
# off: its process-wide cache changes the output of a page seen several times. Comments are
# never article text. fast (no readability/jusText second opinion) would save ~20% CPU a page,
# but on the AEB evaluation it let one site's navigation and ticker through as text (2 false
# alerts in 2311 furniture changes) and lost a moved paragraph: not worth it.
EXTRACTION_OPTIONS: dict[str, Any] = {
    "with_metadata": True,
    "include_comments": False,
    "include_tables": True,
    "deduplicate": False,
    "favor_precision": False,
    "favor_recall": False,
}
# The metadata an Article keeps is read by page_metadata.py (trafilatura's own functions, the
# same values) rather than by bare_extraction, which would also read fields no Article keeps.
_TEXT_OPTIONS: dict[str, Any] = {**EXTRACTION_OPTIONS, "with_metadata": False}
# trafilatura's parser (pages) and lxml.html's default one (the fragments its fallbacks parse):
# the same element classes, found in C (element_classes.py).
use_c_element_lookup(trafilatura_utils.HTML_PARSER, lxml.html.html_parser)
# Less body text than this is a navigation page, an error page or an empty shell, not an article.
MIN_ARTICLE_CHARS = 50
EXTRACTOR_INFO: dict[str, Any] = {
    "name": "trafilatura",
    "version": trafilatura.__version__,
    "options": EXTRACTION_OPTIONS,
}


def extract_article(html: str, url: str) -> Article:
    """The article on a page; ExtractionError when there is none, UnhealthyPageError for a stand-in page."""
    tree = load_html(html)
    if tree is None:
        raise ExtractionError(f"{url}: not parseable as HTML")
    language = _page_language(tree)
    # One parse serves all: stamps and the health rules read the tree as served, and
    # trafilatura works on its own copy of it.
    dates = find_page_dates(html, tree, language)
    try:
        document = trafilatura.bare_extraction(tree, url=url, **_TEXT_OPTIONS)
    except Exception as exc:  # trafilatura raises assorted lxml/parsing errors on broken markup
        raise ExtractionError(f"{url}: extraction failed ({type(exc).__name__}: {exc})") from exc
    if document is None or isinstance(document, dict):
        check_page(url, html, tree, "")
        raise ExtractionError(f"{url}: no article text found")
    metadata = read_metadata(tree, url)
    title = clean_text(metadata.title)
    author = _author(metadata.author)
    description = clean_text(metadata.description)
    canonical = clean_text(metadata.url)
    paragraphs = body_paragraphs(document.text or "", document.body, tree, url, canonical, title, author)
    text = " ".join(paragraphs)
    check_page(url, html, tree, text)
    if len(text) < MIN_ARTICLE_CHARS:
        raise ExtractionError(f"{url}: no article text found ({len(text)} characters of text)")
    return Article(
        title=title,
        author=author,
        # htmldate's guess is read only for a page whose stamps name no publication date.
        published=dates.published or _fallback_day(publication_day(tree, metadata), dates.updated),
        updated=dates.updated,
        sitename=clean_text(metadata.sitename),
        language=language,
        description=description,
        # No canonical link: the page's own (final) URL names it, so URL changes stay visible.
        canonical_url=canonical or url,
        tags=tuple(sorted({t for t in (clean_text(tag) for tag in metadata.tags) if t})),
        paragraphs=paragraphs,
    )


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


def _author(found: str | None) -> str | None:
    # trafilatura's author guess can pick up a stamp's words ("Jane Doe; Monday; November",
    # "Güncelleme"): names only
    names = [name for name in (clean_text(part) for part in (found or "").split(";")) if name]
    return "; ".join(name for name in names if not is_date_words(name)) or None


def _fallback_day(found: str | None, updated: str | None) -> str | None:
    # trafilatura's own date guess, unless it is the update stamp read again (not earlier)
    day = found[:10] if found else None
    return None if day is None or (updated is not None and day >= updated[:10]) else day

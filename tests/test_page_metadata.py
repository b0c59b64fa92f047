"""page_metadata reads the same values as trafilatura's own metadata pass, on every test page."""

from __future__ import annotations

import pytest
import trafilatura
from article_pages import article_page, story_page
from trafilatura.utils import load_html

from articlewatch.demo.articles import DemoArticle, later_versions
from articlewatch.demo.pages import render_page
from articlewatch.page_metadata import publication_day, read_metadata

BASE = "http://127.0.0.1:8765"


def rendered_pages(seeds: dict[str, DemoArticle]) -> list[tuple[str, str]]:
    """Every page the tests render: the seeds and their later versions, and the small pages."""
    pages = [(render_page(article, BASE), BASE + article.path) for article in seeds.values()]
    pages += [(render_page(later, BASE), BASE + later.path) for later in later_versions(seeds).values()]
    pages.append((article_page(head='<meta name="author" content="Sam Porter">'), BASE + "/park"))
    canonical = '<link rel="canonical" href="https://example.org/a?x=1&amp;y=2">'
    pages.append((article_page(head=canonical), BASE + "/b"))
    pages += [(story_page(number), f"{BASE}/story/{number}") for number in range(3)]
    return pages


def test_same_fields_as_bare_extraction_with_metadata(seeds: dict[str, DemoArticle]) -> None:
    pages = rendered_pages(seeds)
    assert len(pages) > 10
    for html, url in pages:
        document = trafilatura.bare_extraction(html, url=url, with_metadata=True, include_comments=False)
        assert document is not None and not isinstance(document, dict)
        tree = load_html(html)
        metadata = read_metadata(tree, url)
        ours = (metadata.title, metadata.author, metadata.description, metadata.url, metadata.sitename)
        theirs = (document.title, document.author, document.description, document.url, document.sitename)
        assert ours == theirs, url
        assert list(metadata.tags) == list(document.tags or []), url
        assert publication_day(tree, metadata) == document.date, url


def test_the_tree_is_left_as_it_was(seeds: dict[str, DemoArticle]) -> None:
    import lxml.html

    html = render_page(seeds["cnbc"], BASE)
    tree = load_html(html)
    before = lxml.html.tostring(tree)
    metadata = read_metadata(tree, BASE + seeds["cnbc"].path)
    publication_day(tree, metadata)
    assert lxml.html.tostring(tree) == before


@pytest.mark.parametrize("field", ["title", "author", "description", "sitename"])
def test_overlong_fields_are_cut_as_trafilatura_cuts_them(field: str) -> None:
    long_text = "word " * 3000
    head = {
        "title": f'<meta property="og:title" content="{long_text}">',
        "author": f'<meta name="author" content="Sam {long_text}">',
        "description": f'<meta name="description" content="{long_text}">',
        "sitename": f'<meta property="og:site_name" content="{long_text}">',
    }[field]
    html = article_page(head=head)
    document = trafilatura.bare_extraction(html, url=BASE + "/x", with_metadata=True, include_comments=False)
    assert document is not None and not isinstance(document, dict)
    value = getattr(read_metadata(load_html(html), BASE + "/x"), field)
    assert value == getattr(document, field)

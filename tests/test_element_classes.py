"""The C-level element class lookup gives every node the class lxml.html's Python lookup gives it."""

from __future__ import annotations

import copy

import lxml.html
import pytest
from article_pages import article_page
from trafilatura.utils import load_html

from articlewatch.element_classes import use_c_element_lookup
from articlewatch.extract import extract_article

PAGE = """<!DOCTYPE html><html><head><title>t</title></head><body>
<FORM action="/s"><input name="q" value="1"><LABEL for="q">Search</LABEL>
<select name="s"><option>a</option></select><textarea name="t">x</textarea></form>
<!-- a comment --><p>Text &amp; more<?php echo 1; ?></p><svg><circle r="1"/></svg></body></html>"""


def classes(tree: lxml.html.HtmlElement) -> list[str]:
    return [type(node).__name__ for node in tree.iter()]


def test_same_classes_as_the_python_lookup() -> None:
    python_lookup = lxml.html.HTMLParser(remove_comments=False)
    c_lookup = lxml.html.HTMLParser(remove_comments=False)
    use_c_element_lookup(c_lookup)
    expected = classes(lxml.html.fromstring(PAGE, parser=python_lookup))
    got = lxml.html.fromstring(PAGE, parser=c_lookup)
    assert classes(got) == expected
    form_classes = {"FormElement", "InputElement", "LabelElement", "SelectElement", "TextareaElement"}
    assert form_classes <= set(expected)
    assert "HtmlComment" in expected
    # Copies (trafilatura works on copies of the page) keep the classes and the form API.
    duplicate = copy.deepcopy(got)
    assert classes(duplicate) == expected
    assert dict(duplicate.forms[0].fields)["q"] == "1"


def test_extraction_never_calls_the_python_lookup(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    python_lookup = lxml.html.HtmlElementClassLookup.lookup

    def counted(self: lxml.html.HtmlElementClassLookup, *args: object) -> object:
        calls.append(str(args[-1]))
        return python_lookup(self, *args)

    monkeypatch.setattr(lxml.html.HtmlElementClassLookup, "lookup", counted)
    lxml.html.fromstring(PAGE, parser=lxml.html.HTMLParser())
    assert calls, "the counter does not see lxml.html's lookup"
    calls.clear()
    tree = load_html(PAGE)
    assert tree is not None and "FormElement" in classes(tree)
    extract_article(article_page(), "http://127.0.0.1/park")
    assert calls == []

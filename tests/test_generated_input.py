"""Generated HTML and articles: the extractor and the differ never raise anything but our typed errors."""

from __future__ import annotations

import contextlib

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from articlewatch.decoding import decode_html
from articlewatch.diff import diff_articles, fingerprint
from articlewatch.errors import ExtractionError
from articlewatch.extract import extract_article
from articlewatch.models import CHANGE_KINDS, Article

# Modest counts keep the suite fast; hypothesis still shrinks any failure to a small page.
# derandomize: the same examples on every run, so CI never fails on a draw nobody can repeat.
FEW = settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])

TAGS = [
    "div",
    "p",
    "article",
    "main",
    "section",
    "span",
    "a",
    "h1",
    "h2",
    "time",
    "table",
    "tr",
    "td",
    "ul",
    "li",
    "script",
    "style",
    "nav",
    "footer",
    "meta",
    "br",
    "img",
    "iframe",
    "svg",
    "form",
    "title",
]
words = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), min_size=0, max_size=40
)
attributes = st.dictionaries(
    st.sampled_from(["class", "id", "lang", "content", "property", "name", "datetime", "href", "itemprop"]),
    words,
    max_size=3,
)


def render(tag: str, attrs: dict[str, str], children: list[str]) -> str:
    rendered = "".join(f' {name}="{value}"' for name, value in attrs.items())
    return f"<{tag}{rendered}>{''.join(children)}</{tag}>"


markup = st.recursive(
    words | st.sampled_from(["&amp;", "&#0;", "&#xD800;", "<!--", "]]>", "<", "</p", "&nbsp;", "\u202e"]),
    lambda inner: st.builds(render, st.sampled_from(TAGS), attributes, st.lists(inner, max_size=5)),
    max_leaves=40,
)
pages = st.builds(
    lambda head, body, cut: ("<html><head>" + head + "</head><body>" + body + "</body></html>")[:cut],
    markup,
    st.lists(markup, max_size=6).map("".join),
    st.integers(min_value=0, max_value=5000),
)


@FEW
@given(pages)
def test_extractor_returns_an_article_or_a_typed_error(html: str) -> None:
    try:
        article = extract_article(html, "https://news.example.com/a")
    except ExtractionError as error:
        assert "\n" not in str(error)
        return
    assert all(paragraph.strip() for paragraph in article.paragraphs)


@FEW
@given(st.integers(min_value=1, max_value=3000), st.sampled_from(["div", "span", "b", "table"]))
def test_deeply_nested_markup_never_escapes_as_recursion(depth: int, tag: str) -> None:
    html = f"<{tag}>" * depth + "<p>" + "deep text " * 20 + "</p>" + f"</{tag}>" * (depth // 2)
    with contextlib.suppress(ExtractionError):  # any other exception fails the test
        extract_article(html, "https://news.example.com/deep")


@FEW
@given(st.binary(max_size=3000), st.sampled_from([None, "utf-8", "windows-1254", "shift_jis", "bogus", ""]))
def test_any_bytes_decode_to_text(body: bytes, charset: str | None) -> None:
    assert isinstance(decode_html(body, charset), str)


paragraphs = st.lists(st.text(min_size=1, max_size=80).filter(str.strip), max_size=12).map(tuple)
optional_text = st.none() | st.text(max_size=40)
articles = st.builds(
    Article,
    title=optional_text,
    author=optional_text,
    published=st.none() | st.sampled_from(["2018-07-19", "2018-07-19T20:15", "2018-07-19T20:15:00+01:00"]),
    updated=st.none() | st.sampled_from(["2018-08-07T17:48", "2018-08-07"]),
    description=optional_text,
    tags=st.lists(st.text(max_size=10), max_size=3).map(tuple),
    paragraphs=paragraphs,
)


@FEW
@given(articles, articles)
def test_differ_never_raises_and_agrees_with_the_fingerprint(old: Article, new: Article) -> None:
    changes = diff_articles(old, new)
    assert all(change.kind in CHANGE_KINDS for change in changes)
    assert diff_articles(old, old) == ()
    if fingerprint(old) != fingerprint(new):
        assert changes, "different comparison forms but no change reported"

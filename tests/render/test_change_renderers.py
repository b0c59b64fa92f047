"""One change in each format: text (word diff, colored or marked), Markdown, HTML and JSON."""

from __future__ import annotations

from html.parser import HTMLParser

from articlewatch.models import Change, ChangeItem
from articlewatch.render.html import render_html, safe_href
from articlewatch.render.json import change_document
from articlewatch.render.markdown import render_markdown
from articlewatch.render.text import render_text

HOSTILE = "<script>alert('x')</script>"
CHANGE = Change(
    url="https://news.example.com/story",
    from_version=1,
    to_version=2,
    items=(
        ChangeItem(
            "title", "Trump rejects Putin's offer", "Trump backs down on Putin's offer", field="title"
        ),
        ChangeItem("author", "Staff", "Jane Doe", field="author"),
        ChangeItem("updated", None, "2018-08-07T17:48", field="updated"),
        ChangeItem(
            "paragraph_edited",
            "The Russian president made the offer on Monday.",
            "The Russian leader made the offer on Monday evening.",
            position=2,
        ),
        ChangeItem("paragraph_added", None, f"Readers wrote {HOSTILE} in the comments.", position=5),
    ),
    from_fetched_at="2026-11-22T07:00:00.000000Z",
    to_fetched_at="2026-11-22T08:15:00.000000Z",
    title="Trump backs down on Putin's offer",
    sitename="Example News",
)


def test_text_marks_words_without_color_and_colors_them_with() -> None:
    plain = render_text(CHANGE)
    assert "The Russian [-president-] {+leader+} made the offer on [-Monday.-] {+Monday evening.+}" in plain
    assert "Trump [-rejects-] {+backs down on+} Putin's offer" in plain
    assert "version 1 (2026-11-22 07:00 UTC) -> version 2 (2026-11-22 08:15 UTC)" in plain
    assert "\x1b[" not in plain
    colored = render_text(CHANGE, color=True)
    assert "\x1b[" in colored and "[-president-]" not in colored and "president" in colored


def test_html_puts_metadata_on_top_and_marks_words_inline() -> None:
    html = render_html([CHANGE], title="Changes", generated_at="2026-11-22T08:16:00.000000Z")
    HTMLParser().feed(html)
    body = html.split("<body>", 1)[1]
    assert body.index('<table class="fields">') < body.index('<div class="item">')
    assert "<del>Trump rejects Putin&#39;s offer</del>" in body and "<ins>Jane Doe</ins>" in body
    assert "<del>rejects </del><ins>backs down on </ins>" in body, "the headline's word diff"
    assert "The Russian <del>president </del><ins>leader </ins>made" in body
    assert "&lt;script&gt;" in body and HOSTILE not in body
    assert "Staff</del> <ins>" not in body, "no word diff for a byline with no word in common"


def test_html_links_only_to_web_addresses() -> None:
    assert safe_href("https://news.example.com/a") == "https://news.example.com/a"
    assert safe_href("javascript:alert(1)") == "#"
    hostile = Change(url="javascript:alert(1)", from_version=1, to_version=2, items=CHANGE.items)
    assert 'href="javascript' not in render_html([hostile], title="x", generated_at="now")


def test_markdown_escapes_page_text_and_strikes_deletions() -> None:
    markdown = render_markdown(CHANGE)
    assert markdown.startswith("### Trump backs down on Putin's offer")
    assert (
        "Example News · <https://news.example.com/story> · version 1 → 2 (2026-11-22 08:15 UTC)" in markdown
    )
    assert "~~president~~ **leader**" in markdown
    assert "\\<script\\>" in markdown and "<script>" not in markdown


def test_json_is_the_validated_structured_change() -> None:
    document = change_document(CHANGE)  # validates against schemas/change.schema.json
    assert document["kinds"] == ["title", "author", "updated", "paragraph_added", "paragraph_edited"]
    [edited] = [c for c in document["changes"] if c["kind"] == "paragraph_edited"]
    assert {"op": "delete", "text": "president "} in edited["words"]
    assert {"op": "insert", "text": "leader "} in edited["words"]

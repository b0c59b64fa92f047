"""Tests for articlewatch.stamps: published/updated dates read from article pages."""

from __future__ import annotations

import re
import sys

import htmldate
import lxml.html
import pytest

from articlewatch.stamps import (
    _COMMENT_WORDS,
    _PUBLISHED_LABELS,
    _UPDATED_LABELS,
    PageDates,
    _initials,
    _Page,
    find_page_dates,
    is_stamp_line,
    mask_dates,
)

YENI_SAFAK = (
    "<html><head><title>Haber</title></head><body><article><h1>Başlık</h1>"
    '<div class="date">09:47 - 20/07/2018 Friday</div>'
    '<div class="update">Update: 17:48 - 7/08/2018 Tuesday</div>'
    "<p>Article text that goes on for a while.</p></article></body></html>"
)
STALE_META = '<meta property="article:published_time" content="2018-07-20T09:47:00+03:00">'


def page(body: str, head: str = "", lang: str | None = None) -> str:
    """A minimal article page around body and head fragments."""
    lang_attr = f' lang="{lang}"' if lang else ""
    return f"<!DOCTYPE html><html{lang_attr}><head><title>t</title>{head}</head><body>{body}</body></html>"


def ld(json_text: str) -> str:
    """A JSON-LD script element."""
    return f'<script type="application/ld+json">{json_text}</script>'


# (id, html, language argument, expected published, expected updated)
CASES = [
    ("yeni-safak", YENI_SAFAK, None, "2018-07-20T09:47", "2018-08-07T17:48"),
    (
        "yeni-safak-stale-meta",
        YENI_SAFAK.replace("<title>", STALE_META + "<title>"),
        None,
        "2018-07-20T09:47+03:00",
        "2018-08-07T17:48",
    ),
    (
        "json-ld-graph",
        page(
            "<p>text</p>",
            ld(
                '{"@context": "https://schema.org", "@graph": ['
                '{"@type": "WebSite", "name": "x"},'
                '{"@type": "WebPage", "datePublished": "2017-01-01"},'
                '{"@type": "NewsArticle", "datePublished": "2018-07-20T09:47:00+03:00",'
                ' "dateModified": "2018-08-07T17:48:00+03:00"}]}'
            ),
        ),
        None,
        "2018-07-20T09:47+03:00",
        "2018-08-07T17:48+03:00",
    ),
    (
        "json-ld-list-with-comment",
        page(
            "<p>text</p>",
            ld(
                '[{"@type": "BreadcrumbList"}, {"@type": ["BlogPosting"],'
                ' "datePublished": "2018-07-19", "comment": [{"@type": "Comment",'
                ' "dateModified": "2018-09-01"}]}]'
            ),
        ),
        None,
        "2018-07-19",
        None,
    ),
    (
        "json-ld-broken-json",
        page(
            "<p>text</p>",
            ld(
                '{"@type": "NewsArticle", "datePublished": "2018-07-19T08:00:00Z",'
                ' "headline": "unescaped "quotes" here"}'
            ),
        ),
        None,
        "2018-07-19T08:00+00:00",
        None,
    ),
    (
        "meta-modified-with-offset",
        page(
            "<p>text</p>",
            '<meta property="article:published_time" content="2018-07-19T12:32:00-04:00">'
            '<meta property="article:modified_time" content="2018-07-20T08:22:15-04:00">',
        ),
        None,
        "2018-07-19T12:32-04:00",
        "2018-07-20T08:22:15-04:00",
    ),
    (
        "meta-z-and-og-updated",
        page(
            "<p>text</p>",
            '<meta name="parsely-pub-date" content="2018-07-19T12:00:00.000Z">'
            '<meta property="og:updated_time" content="2018-07-20T08:22:00Z">',
        ),
        None,
        "2018-07-19T12:00+00:00",
        "2018-07-20T08:22+00:00",
    ),
    (
        "meta-rfc2822-sailthru",
        page("<p>text</p>", '<meta name="sailthru.date" content="Thu, 19 Jul 2018 16:32:00 GMT">'),
        None,
        "2018-07-19T16:32+00:00",
        None,
    ),
    (
        "itemprop-microdata",
        page(
            '<span itemprop="datePublished" content="2018-07-19">19 July</span>'
            '<div itemprop="dateModified">2018-07-21T10:00</div>'
        ),
        None,
        "2018-07-19",
        "2018-07-21T10:00",
    ),
    (
        "time-elements-wordpress",
        page(
            '<article><header><time class="entry-date published" '
            'datetime="2018-07-19T12:32:00+01:00">19 July</time>'
            '<time class="updated" datetime="2018-07-20T08:22:00+01:00">20 July</time>'
            "</header><p>text</p></article>"
        ),
        None,
        "2018-07-19T12:32+01:00",
        "2018-07-20T08:22+01:00",
    ),
    (
        "time-itemprop",
        page(
            '<time itemprop="datePublished" datetime="2018-07-19T12:32">x</time>'
            '<time itemprop="dateModified" datetime="2018-07-20T08:22">y</time>'
        ),
        None,
        "2018-07-19T12:32",
        "2018-07-20T08:22",
    ),
    (
        "time-labelled-by-text",
        page(
            '<p class="byline">Updated <time datetime="2018-08-07T17:48:00+03:00">2 hours ago</time></p>',
            STALE_META,
        ),
        None,
        "2018-07-20T09:47+03:00",
        "2018-08-07T17:48+03:00",
    ),
    (
        "us-month-first",
        page(
            "<p>Updated 7/08/2018 5:48 PM</p>",
            '<meta property="article:published_time" content="2018-07-08">',
            lang="en-US",
        ),
        None,
        "2018-07-08",
        "2018-07-08T17:48",
    ),
    (
        "language-argument-beats-html-lang",
        page(
            "<p>Updated 7/08/2018 5:48 PM</p>",
            '<meta property="article:published_time" content="2018-07-08">',
            lang="en-GB",
        ),
        "en-US",
        "2018-07-08",
        "2018-07-08T17:48",
    ),
    (
        "en-with-us-time-zone-hint",
        page("<p>Updated 7/08/2018 5:48 PM EDT</p>", lang="en"),
        None,
        None,
        "2018-07-08T17:48-04:00",
    ),
    ("en-gb-day-first", page("<p>Updated 7/08/2018 17:48</p>", lang="en-GB"), None, None, "2018-08-07T17:48"),
    (
        "weekday-beats-us-language",
        page("<p>Updated: Tuesday, 7/08/2018 17:48</p>", lang="en-US"),
        None,
        None,
        "2018-08-07T17:48",
    ),
    (
        "weekday-beats-french-language",
        page("<p>Mis à jour dimanche 7/08/2018 à 17h48</p>", lang="fr"),
        None,
        None,
        "2018-07-08T17:48",
    ),
    (
        "page-evidence-beats-language",
        page('<p>Updated 7/08/2018 17:48</p><div class="related">Older: 20/07/2018</div>', lang="en-US"),
        None,
        None,
        "2018-08-07T17:48",
    ),
    (
        "page-evidence-month-first",
        page("<p>Mis à jour 7/08/2018 17:48</p><div>Archive: 07/20/2018</div>", lang="fr"),
        None,
        None,
        "2018-07-08T17:48",
    ),
    (
        "german",
        page("<p>Veröffentlicht am 06.08.2018</p><p>Aktualisiert: 07.08.2018, 17:48 Uhr</p>", lang="de"),
        None,
        "2018-08-06",
        "2018-08-07T17:48",
    ),
    ("german-stand", page("<p>Stand: 07.08.2018 17.48 Uhr</p>", lang="de"), None, None, "2018-08-07T17:48"),
    (
        "french",
        page("<p>Publié le 19 juillet 2018 à 09h47, mis à jour le 7 août 2018 à 17h48</p>", lang="fr"),
        None,
        "2018-07-19T09:47",
        "2018-08-07T17:48",
    ),
    (
        "turkish",
        page("<div>Yayınlanma: 20.07.2018 09:47</div><div>Güncelleme: 07.08.2018 17:48</div>", lang="tr"),
        None,
        "2018-07-20T09:47",
        "2018-08-07T17:48",
    ),
    (
        "turkish-month-name",
        page("<div>Güncellenme tarihi: 7 Ağustos 2018 Salı 17:48</div>", lang="tr"),
        None,
        None,
        "2018-08-07T17:48",
    ),
    (
        "spanish",
        page("<p>Actualizado el 7 de agosto de 2018 a las 17:48</p>", lang="es"),
        None,
        None,
        "2018-08-07T17:48",
    ),
    (
        "italian",
        page("<p>Aggiornato il 07/08/2018 alle 17:48</p>", lang="it"),
        None,
        None,
        "2018-08-07T17:48",
    ),
    (
        "dutch",
        page("<p>Bijgewerkt op 7 augustus 2018 om 17:48</p>", lang="nl"),
        None,
        None,
        "2018-08-07T17:48",
    ),
    (
        "portuguese",
        page("<p>Atualizado em 07/08/2018 às 17h48</p>", lang="pt-BR"),
        None,
        None,
        "2018-08-07T17:48",
    ),
    (
        "russian",
        page("<p>Обновлено 7 августа 2018, 17:48 (MSK)</p>", lang="ru"),
        None,
        None,
        "2018-08-07T17:48+03:00",
    ),
    (
        "rt",
        page(
            '<div class="article__date">Published time: 19 Jul, 2018 21:51 '
            "Edited time: 20 Jul, 2018 08:22</div>"
        ),
        None,
        "2018-07-19T21:51",
        "2018-07-20T08:22",
    ),
    (
        "reuters",
        page('<div class="date">Published Thu, Jul 19 2018 12:32 PM EDT</div>'),
        None,
        "2018-07-19T12:32-04:00",
        None,
    ),
    (
        "cnn-et-in-summer",
        page(
            '<p class="update-time">Updated 3:05 PM ET, Thu July 19, 2018</p>'
            "<p>Posted July 18, 2018 at 9:05 a.m. ET</p>"
        ),
        None,
        "2018-07-18T09:05-04:00",
        "2018-07-19T15:05-04:00",
    ),
    (
        "et-in-winter",
        page("<p>Updated Jan 9, 2018 at 3:05 p.m. ET</p>"),
        None,
        None,
        "2018-01-09T15:05-05:00",
    ),
    ("iso-visible", page("<p>Last updated: 2018-08-07 17:48:30</p>"), None, None, "2018-08-07T17:48:30"),
    (
        "visible-update-beats-stale-meta",
        page(
            "<p>Updated: 7 August 2018 17:48</p>",
            STALE_META + '<meta property="article:modified_time" content="2018-07-20T09:47:00">',
        ),
        None,
        "2018-07-20T09:47+03:00",
        "2018-08-07T17:48",
    ),
    (
        "date-only-stamp-takes-time-from-meta",
        page(
            "<p>Published 19 July 2018</p>",
            '<meta property="article:published_time" content="2018-07-19T09:47:00+01:00">',
        ),
        None,
        "2018-07-19T09:47+01:00",
        None,
    ),
    (
        "naive-stamp-takes-offset-from-meta-for-same-moment",
        page(
            '<div class="article__date">Published time: 19 Jul, 2018 21:51</div>',
            '<meta property="article:published_time" content="2018-07-19T21:51:00+00:00">',
        ),
        None,
        "2018-07-19T21:51+00:00",
        None,
    ),
    (
        "updated-before-published-dropped",
        page(
            "<p>text</p>",
            '<meta property="article:published_time" content="2018-07-20T09:47:00">'
            '<meta property="article:modified_time" content="2018-07-19T09:47:00">',
        ),
        None,
        "2018-07-20T09:47",
        None,
    ),
    (
        "updated-equal-published-kept",
        page(
            "<p>text</p>",
            '<meta property="article:published_time" content="2018-07-20T09:47:00Z">'
            '<meta property="article:modified_time" content="2018-07-20T09:47:00Z">',
        ),
        None,
        "2018-07-20T09:47+00:00",
        "2018-07-20T09:47+00:00",
    ),
    (
        "prose-is-no-stamp",
        page(
            "<p>The rules were updated on 9 August 2018, officials said.</p>",
            STALE_META + '<meta property="article:modified_time" content="2018-07-21T10:00:00">',
        ),
        None,
        "2018-07-20T09:47+03:00",
        "2018-07-21T10:00",
    ),
    (
        "reader-comments-ignored",
        page(
            '<article><div class="byline">20.07.2018 09:47</div><p>Story.</p></article>'
            '<section id="comments"><div class="comment">Updated: 09.08.2018 10:00'
            '<time class="updated" datetime="2018-08-09T10:00">x</time>'
            '<span itemprop="dateModified" content="2018-08-09">y</span></div></section>',
            lang="tr",
        ),
        None,
        "2018-07-20T09:47",
        None,
    ),
    (
        "script-text-ignored",
        page('<script>var s = "Updated: 09.08.2018 10:00";</script><p>text</p>', STALE_META),
        None,
        "2018-07-20T09:47+03:00",
        None,
    ),
    (
        "unlabelled-date-line-in-article-wins-over-top-bar",
        page(
            '<header><span class="today">Friday, 10 August 2018</span></header>'
            '<article><p class="meta">Thursday, 19 July 2018</p><p>Story.</p></article>'
        ),
        None,
        "2018-07-19",
        None,
    ),
]


@pytest.mark.parametrize(
    ("html", "language", "published", "updated"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_find_page_dates(html: str, language: str | None, published: str | None, updated: str | None) -> None:
    assert find_page_dates(html, language=language) == PageDates(published, updated)


def test_htmldate_alone_misses_the_update() -> None:
    def guess(html: str, original: bool) -> str | None:
        return htmldate.find_date(
            lxml.html.fromstring(html),
            original_date=original,
            extensive_search=True,
            outputformat="%Y-%m-%dT%H:%M:%S",
        )

    # Without meta, htmldate finds the update's day but drops its time of day, and gives
    # that same day as the original date too, so it cannot tell published from updated.
    latest = guess(YENI_SAFAK, original=False)
    assert latest is not None and not latest.startswith("2018-08-07T17:48")
    assert guess(YENI_SAFAK, original=True) == latest
    # With the stale published meta the real site serves, it never sees the update at all.
    with_meta = YENI_SAFAK.replace("<title>", STALE_META + "<title>")
    latest = guess(with_meta, original=False)
    assert latest is not None and not latest.startswith("2018-08-07")
    assert find_page_dates(with_meta).updated == "2018-08-07T17:48"


def test_uses_given_tree_without_changing_it() -> None:
    tree = lxml.html.fromstring(YENI_SAFAK)
    before = lxml.html.tostring(tree)
    assert find_page_dates("", tree=tree) == PageDates("2018-07-20T09:47", "2018-08-07T17:48")
    assert lxml.html.tostring(tree) == before


def test_htmldate_fallback_when_page_has_only_a_textual_date() -> None:
    html = page(
        "<article><h1>Title</h1><p>A long story about July 19, 2018 events.</p></article>",
        '<meta name="description" content="x">',
    )
    assert find_page_dates(html).published == "2018-07-19"


@pytest.mark.parametrize(
    "junk",
    [
        "",
        "   ",
        "<<<>>>",
        "\x00\xff\ufffd\x01<html>\x02",
        '<?xml version="1.0" encoding="utf-8"?><html><body>Updated: 7/08/2018</body></html>',
        b"\x00\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        b"<html><body>Updated: 7/08/2018 \xff\xfe</body></html>",
        "<div>" * 3000 + "Updated: 7/08/2018" + "</div>" * 10,
        page("<p>Updated: 31/02/2018 25:61</p><p>Published 99/99/9999</p><p>Posted 0/0/0000</p>"),
        page(
            "<p>x</p>",
            ld("{")
            + ld("[[[[" * 400)
            + ld('{"@graph": 5, "datePublished": 7}')
            + '<meta property="article:published_time" content="not a date">'
            + '<meta property="article:modified_time" content="2018-13-45T99:99:99+99:99">',
        ),
        page('<time datetime="">x</time><time datetime="2018-07-19T10:00+25:00">y</time>'),
        "http://example.com/2018/07/19/story",
    ],
    ids=lambda junk: repr(junk)[:30],
)
def test_garbage_never_raises(junk: str | bytes) -> None:
    assert isinstance(find_page_dates(junk), PageDates)


@pytest.mark.parametrize("junk", ["", "<<<>>>", b"\x00\x89PNG\r\n", "http://example.com/"])
def test_garbage_gives_no_dates(junk: str | bytes) -> None:
    assert find_page_dates(junk) == PageDates(None, None)


# The stamp forms of the issue as pages show them: (label, visible stamp line, expected updated).
ISSUE_FORMS = [
    ("Updated", "Updated: August 7, 2018 5:48 PM EDT", "2018-08-07T17:48-04:00"),
    ("Last updated", "Last updated 07/08/2018 17:48 BST", "2018-08-07T17:48+01:00"),
    ("Update:", "Update: 17:48 - 7/08/2018 Tuesday", "2018-08-07T17:48"),
    ("Edited time", "Edited time: 2018-08-07 17:48", "2018-08-07T17:48"),
    ("Modified", "Modified 2018-08-07T17:48:00Z", "2018-08-07T17:48+00:00"),
    ("Güncelleme:", "Güncelleme: 07.08.2018 17:48", "2018-08-07T17:48"),
    ("Mis à jour le", "Mis à jour le 7 août 2018 à 17h48", "2018-08-07T17:48"),
    ("Aktualisiert am", "Aktualisiert am 07.08.2018 um 17:48 Uhr", "2018-08-07T17:48"),
    ("Actualizado:", "Actualizado: 07/08/2018 17:48 CEST", "2018-08-07T17:48+02:00"),
]
FORM_IDS = [label for label, _, _ in ISSUE_FORMS]


@pytest.mark.parametrize(("label", "line", "updated"), ISSUE_FORMS, ids=FORM_IDS)
def test_visible_update_stamp_forms(label: str, line: str, updated: str) -> None:
    body = f"<article><p class='byline'>By A. Writer</p><p>{line}</p><p>Text of the article.</p></article>"
    dates = find_page_dates(page(body, STALE_META))
    assert dates.updated == updated
    assert dates.published == "2018-07-20T09:47+03:00"


@pytest.mark.parametrize(("label", "line", "updated"), ISSUE_FORMS, ids=FORM_IDS)
def test_time_element_with_the_label_outside(label: str, line: str, updated: str) -> None:
    body = f"<article><p>{label} <time datetime='2018-08-07T17:48:00+03:00'>an hour ago</time></p></article>"
    assert find_page_dates(page(body, STALE_META)).updated == "2018-08-07T17:48+03:00"


def test_update_stamp_to_the_minute_is_not_before_a_published_time_with_seconds() -> None:
    body = "<article><p>Updated 1:39 am EST, Wednesday, November 20, 2019</p><p>Text.</p></article>"
    head = '<meta property="article:published_time" content="2019-11-20T06:39:53+00:00">'
    dates = find_page_dates(page(body, head, lang="en-US"))
    assert (dates.published, dates.updated) == ("2019-11-20T06:39:53+00:00", "2019-11-20T01:39-05:00")


@pytest.mark.parametrize(
    "line",
    [
        "Updated: 10:15 - 20/11/2019",
        "Edited time: 2019-11-20 10:15",
        "기사입력 :[ 2018-08-25 15:24 ]",
        "sexta-feira, 22 de outubro de 2010 às 20:13",
        "Aktualisiert am 20.11.2019 um 10:15 Uhr",
        "By John Smith | Nov 18, 2019",
        "5:45 AM PST 11/19/2019 by Patrick Shanley",
    ],
)
def test_stamp_lines_are_recognized(line: str) -> None:
    assert is_stamp_line(line)


@pytest.mark.parametrize(
    "line",
    [
        "Smith said on Nov 18, 2019 that he would run",
        "March 3, 2019: the Senate votes on the bill",
        "The vote was on 18 November 2019.",
    ],
)
def test_text_with_a_date_is_no_stamp_line(line: str) -> None:
    assert not is_stamp_line(line)


def test_mask_dates_blanks_dates_and_times_only() -> None:
    masked = mask_dates("Posted October 9, 2018 at 16:02 by the Senate")
    assert masked == "Posted <date> at <time> by the Senate"


def _same_ignoring_case(letters: set[str]) -> dict[str, list[str]]:
    """Every character IGNORECASE matches to each letter: its other case, but also the Kelvin
    sign for k, the dotless i for i, the long s for s..."""
    everything = "".join(chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c < 0xE000)
    found = set(re.findall("|".join(map(re.escape, letters)), everything, re.IGNORECASE))
    return {
        letter: [c for c in found if re.fullmatch(re.escape(letter), c, re.IGNORECASE)] for letter in letters
    }


@pytest.mark.parametrize(
    "words", [_COMMENT_WORDS, _UPDATED_LABELS + _PUBLISHED_LABELS], ids=["comment-hints", "labels"]
)
def test_initials_lookahead_loses_no_match(words: tuple[str, ...]) -> None:
    lookahead = re.compile(_initials(words), re.IGNORECASE)
    same = _same_ignoring_case({word[i] for word in words for i in (0, 1)})
    for word in words:
        for i in (0, 1):
            for letter in same[word[i]]:
                assert lookahead.match(word[:i] + letter + word[i + 1 :]), (word, letter)


def _is_comment_section(el: lxml.html.HtmlElement) -> bool:
    """The rule, element by element: a comment word in class, id, itemprop or itemtype."""
    hints = " ".join(el.get(attr, "") for attr in ("class", "id", "itemprop", "itemtype"))
    words = "comment|komment|disqus|yorum|comentari|reactie|комментар"
    return el.tag not in ("html", "body", "main") and re.search(words, hints, re.IGNORECASE) is not None


NOT_ASCII_HINTS = (
    '<div class="\u212aomment-box">Kelvin sign</div><p id="КОММЕНТАРИИ">ru</p><p class="comentarıos">g</p>'
)


@pytest.mark.parametrize("extra", ["", NOT_ASCII_HINTS], ids=["ascii", "not-ascii"])
def test_comment_sections_are_found_whatever_the_spelling(extra: str) -> None:
    html = page(
        '<main id="comments"><article class="post">Story <span class="count">3</span></article>'
        '<section id="Comments"><div class="comment">a<div class="comment reply">b</div></div></section>'
        '<div id="DISQUS_thread"></div><ol class="yorumlar"><li itemprop="Comment">c</li></ol>'
        '<div itemtype="https://schema.org/Comment">d</div><div class="reacties\nlist">e</div>'
        f'<p class="commentary">f</p>{extra}</main>'
    ).replace("<body>", '<body class="has-comments">')
    root = lxml.html.document_fromstring(html)
    expected = {el for el in root.iter() if isinstance(el.tag, str) and _is_comment_section(el)}
    assert len(expected) >= 8
    assert _Page(root, None).comments == expected

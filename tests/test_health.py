"""Extraction health: stand-in pages and collapsed bodies are errors, never versions."""

from __future__ import annotations

import re
import sys

import pytest
from article_pages import BODY, article_page

from articlewatch.demo.newsroom import Newsroom
from articlewatch.errors import UnhealthyPageError
from articlewatch.extract import extract_article
from articlewatch.fetch import make_client
from articlewatch.health import (
    _BOT_MARKERS,
    _BOT_MARKUP,
    BOT_WALL,
    COLLAPSED,
    CONSENT,
    ERROR_PAGE,
    PAYWALL,
    check_collapse,
)
from articlewatch.models import Article
from articlewatch.pipeline import check_url
from articlewatch.store import SnapshotStore

URL = "http://news.example/2019/11/19/park"

CLOUDFLARE = """<!DOCTYPE html><html><head><title>Just a moment...</title>
<script>window._cf_chl_opt={cvId: '2', cType: 'managed'};</script></head>
<body><div class="main-wrapper"><h1>news.example</h1>
<p>Checking if the site connection is secure. news.example needs to review the security of your
connection before proceeding.</p><noscript>Enable JavaScript and cookies to continue</noscript></div>
</body></html>"""
CONSENT_WALL = """<!DOCTYPE html><html><head><title>Before you continue</title></head><body>
<form action="https://consent.example/save"><h1>We value your privacy</h1>
<p>We and our partners store and/or access information on a device, such as cookies.</p>
<button>Accept all</button><button>Reject all</button><a href="/options">Manage options</a></form>
</body></html>"""
PAYWALL_TEASER = article_page(
    ("The city council voted 7-2 on Tuesday to approve the new riverside park.",),
    below="<div class='paywall'><p>Subscribe to continue reading.</p><p>Already a subscriber?</p></div>",
)
ERROR_200 = """<!DOCTYPE html><html><head><title>Page not found | The Riverside Times</title></head>
<body><header><nav><a href="/">Home</a></nav></header><main><h1>Sorry, we could not find that page</h1>
<p>The page you requested may have been moved or deleted. Try the search or go back home.</p></main>
</body></html>"""


@pytest.mark.parametrize(
    ("html", "reason"),
    [(CLOUDFLARE, BOT_WALL), (CONSENT_WALL, CONSENT), (PAYWALL_TEASER, PAYWALL), (ERROR_200, ERROR_PAGE)],
    ids=["bot-wall", "consent", "paywall", "error-200"],
)
def test_stand_in_pages_are_refused_naming_the_reason(html: str, reason: str) -> None:
    with pytest.raises(UnhealthyPageError) as raised:
        extract_article(html, URL)
    assert raised.value.reason == reason
    message = str(raised.value)
    assert message.startswith(URL) and reason in message and "\n" not in message


def test_a_real_article_mentioning_walls_and_subscriptions_is_fine() -> None:
    body = (
        *BODY,
        "Readers who hit a captcha or a page not found error can subscribe to the newsletter instead; "
        "already a subscriber? The council says the park website will accept all comments.",
    )
    article = extract_article(article_page(body), URL)
    assert len(article.paragraphs) == len(body)


def test_a_collapsed_body_is_refused_and_says_how_much_is_left() -> None:
    previous = Article(title="T", paragraphs=BODY)
    with pytest.raises(UnhealthyPageError) as raised:
        check_collapse(URL, previous, Article(title="T", paragraphs=BODY[:1]))
    assert raised.value.reason == COLLAPSED and "% of the last good version" in str(raised.value)
    check_collapse(URL, previous, Article(title="T", paragraphs=BODY[:3]))  # a cut, not a collapse


def test_collapse_to_a_paywall_teaser_names_the_paywall() -> None:
    previous = Article(title="T", paragraphs=BODY)
    teaser = Article(title="T", paragraphs=(BODY[0], "Subscribe to continue reading."))
    with pytest.raises(UnhealthyPageError) as raised:
        check_collapse(URL, previous, teaser)
    assert raised.value.reason == PAYWALL


def test_unhealthy_check_is_recorded_and_the_next_good_fetch_compares_with_the_last_good(
    newsroom: Newsroom, store: SnapshotStore
) -> None:
    url = newsroom.put("/2019/11/19/park", article_page())
    with make_client() as client:
        assert check_url(url, store, client).outcome == "new"
        for bad in (CLOUDFLARE, article_page(BODY[:1])):
            newsroom.put("/2019/11/19/park", bad)
            failed = check_url(url, store, client)
            assert failed.outcome == "error" and failed.version == 1 and failed.snapshot is None
            assert store.checks(url)[0].outcome == "error" and store.checks(url)[0].error == failed.error
        assert "bot wall" in store.checks(url)[1].error and "collapsed" in store.checks(url)[0].error
        edited = (*BODY[:2], BODY[2].replace("12 million", "14 million"), *BODY[3:])
        newsroom.put("/2019/11/19/park", article_page(edited))
        good = check_url(url, store, client)
    assert good.outcome == "changed" and good.version == 2
    assert [(c.kind, c.before, c.after) for c in good.changes] == [("paragraph_edited", BODY[2], edited[2])]
    assert len(store.versions(url)) == 2


def test_bot_markup_lookahead_loses_no_match() -> None:
    everything = "".join(chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c < 0xE000)
    letters = {marker[i] for marker in _BOT_MARKERS for i in (0, 1)}
    # every character IGNORECASE takes for one of the letters (the dotless i for I, ...)
    found = set(re.findall("|".join(map(re.escape, letters)), everything, re.IGNORECASE))
    for marker in _BOT_MARKERS:
        for i in (0, 1):
            for letter in (c for c in found if re.fullmatch(re.escape(marker[i]), c, re.IGNORECASE)):
                assert _BOT_MARKUP.search("x" + marker[:i] + letter + marker[i + 1 :]), (marker, letter)

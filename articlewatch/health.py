"""Is a fetched page the article, or something standing in front of it? Pure.

A bot wall, a consent or paywall interstitial, an error page served with status 200, or a body that
collapses to a fraction of the last good version's length is not a new version of the article: the
check fails with UnhealthyPageError naming which, the failure is recorded like any other, and the
next good fetch is compared with the last good version (only good versions are ever stored).

Every rule needs two signals, so a real article is never refused for mentioning a captcha: wording
or markup typical of the stand-in page, and little article text (or much less than last time).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import lxml.html
from lxml import etree

from .errors import UnhealthyPageError
from .models import Article

BOT_WALL = "bot wall"
CONSENT = "consent interstitial"
PAYWALL = "paywall interstitial"
ERROR_PAGE = "error page served with status 200"
COLLAPSED = "collapsed body"

# A stand-in page holds little text; a real article this short is rare and then has no wall wording.
SHORT_TEXT_CHARS = 600
# Paywall wording sits in the header of many real pages ("Already a subscriber?"), so on its own
# it refuses only a page with next to no text: a teaser, not an article.
TEASER_CHARS = 200
# A body below this fraction of the last good version's length is no edit but a broken page ...
COLLAPSE_FRACTION = 1 / 3
# ... when the last good version was long enough for the ratio to mean something.
COLLAPSE_MIN_PREVIOUS_CHARS = 600

_BOT_MARKERS = (
    "cf_chl_opt",
    "cf-browser-verification",
    "cf-challenge-running",
    "/cdn-cgi/challenge-platform/h/",
    "_Incapsula_Resource",
    "px-captcha",
    "captcha-delivery.com",
    "ddos-guard",
    "sucuri_cloudproxy",
    "window._pxAppId",
    "geo.captcha-delivery",
)
_BOT_MARKUP = re.compile(
    # The lookahead (the markers' first two characters) changes no match: it spares re trying
    # every marker at every position of the raw page, slow with IGNORECASE (4x faster).
    "(?="
    + "".join(f"[{''.join(sorted({re.escape(m[i]) for m in _BOT_MARKERS}))}]" for i in (0, 1))
    + ")(?:"
    + "|".join(re.escape(m) for m in _BOT_MARKERS)
    + ")",
    re.IGNORECASE,
)
_BOT_WORDING = re.compile(
    r"just a moment|attention required|checking (?:if the site connection is secure|your browser)"
    r"|verify (?:that )?you are (?:a )?human|are you a robot|not a robot|robot check|security check"
    r"|unusual traffic from your (?:computer|network)|pardon our interruption|access (?:to this page )?"
    r"(?:has been )?denied|enable (?:js|javascript) and disable any ad ?blocker|press (?:&|and) hold"
    r"|human verification|bot protection|one more step",
    re.IGNORECASE,
)
_CONSENT_WORDING = re.compile(
    r"before you continue|we value your privacy|your privacy (?:choices|settings|options)"
    r"|(?:we|our (?:\d+ )?partners?)(?: and our (?:\d+ )?partners)? (?:use|store|process)(?: and/or access)?"
    r" (?:cookies|information|data|personal data)"
    r"|(?:accept|reject|refuse) all|manage (?:cookies|consent|preferences|options)|cookie (?:consent|policy)"
    r"|consent to (?:the|our) use|datenschutz-?einstellungen|alle akzeptieren|tout accepter"
    r"|aceptar todo|nous respectons votre vie privée|wir verwenden cookies",
    re.IGNORECASE,
)
_PAYWALL_WORDING = re.compile(
    r"subscribe (?:now )?to (?:continue|keep) reading|(?:to )?continue reading,? (?:subscribe|sign in|log in)"
    r"|(?:this (?:article|story|content) is )?(?:only )?(?:available|exclusive|reserved) (?:only )?"
    r"(?:to|for) (?:paying )?subscribers|for subscribers only|subscribers only"
    r"|you(?:'ve| have) (?:reached|read|used) (?:your|all of your|the maximum number of) (?:free )?"
    r"(?:article|articles|story|stories)|already a subscriber\?|create a free account to continue"
    r"|sign in to (?:continue|read)|unlock this article|jetzt abonnieren|nur für abonnenten"
    r"|réservé aux abonnés|abonnez-vous|exclusivo para suscriptores|suscríbete para seguir leyendo",
    re.IGNORECASE,
)
_ERROR_WORDING = re.compile(
    r"^\s*(?:error\s*)?(?:404|410|500|503)\b|\b(?:error|http)\s*(?:404|410|500|503)\b"
    r"|\b(?:404|410|500|503)\s*(?:error|not found|gone)|(?:page|file|article) not found"
    r"|page (?:does not|doesn't|no longer) exists?"
    r"|(?:page|article) (?:you requested|you are looking for) (?:could not|cannot|can't|was not)"
    r"|internal server error|service unavailable|something went wrong|an error (?:has )?occurred"
    r"|seite nicht gefunden|página no encontrada|página não encontrada|page introuvable"
    r"|pagina non trovata|sayfa bulunamadı|страница не найдена",
    re.IGNORECASE,
)
_TITLE_XPATH = etree.XPath("string(/html/head/title)")
_H1_XPATH = etree.XPath("string((//h1)[1])")
_VISIBLE_TEXT_XPATH = etree.XPath(
    "//body//text()[not(ancestor::script or ancestor::style or ancestor::noscript or ancestor::template)]"
)
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class PageText:
    """What the health rules read from a page: its title and headline, and its visible text."""

    heading: str
    visible: str


def read_page(tree: lxml.html.HtmlElement) -> PageText:
    """The title, first heading and visible text of a parsed page (one pass of XPath each)."""
    return PageText(_heading(tree), _visible_text(tree))


def _heading(tree: lxml.html.HtmlElement) -> str:
    return _SPACE.sub(" ", f"{_TITLE_XPATH(tree)} {_H1_XPATH(tree)}").strip()


def _visible_text(tree: lxml.html.HtmlElement) -> str:
    return _SPACE.sub(" ", " ".join(str(t) for t in _VISIBLE_TEXT_XPATH(tree))).strip()


def page_problem(raw_html: str, tree: lxml.html.HtmlElement, article_text: str) -> str | None:
    """Which stand-in page this is (a reason constant), or None for a page that may be the article.

    `article_text` is what extraction found ("" when it found nothing); a page with a long article
    is never a stand-in, so the page itself is only read when the text is short.
    """
    if len(article_text) >= SHORT_TEXT_CHARS:
        return None
    heading = _heading(tree)
    if _BOT_MARKUP.search(raw_html) or _BOT_WORDING.search(heading):
        return BOT_WALL
    # The page's visible text counts only with next to no article text (the rules below): not
    # read otherwise, it is the costly part of reading the page.
    visible = _visible_text(tree) if len(article_text) < TEASER_CHARS else ""
    said = f"{heading} {visible}"
    # The wall's own words inside what extraction took for the article are the strong sign.
    if _PAYWALL_WORDING.search(article_text) or (
        len(article_text) < TEASER_CHARS and _PAYWALL_WORDING.search(said)
    ):
        return PAYWALL
    if _CONSENT_WORDING.search(article_text) or (not article_text and _CONSENT_WORDING.search(said)):
        return CONSENT
    if _ERROR_WORDING.search(heading):
        return ERROR_PAGE
    if not article_text and _BOT_WORDING.search(visible):
        return BOT_WALL
    return None


def check_page(url: str, raw_html: str, tree: lxml.html.HtmlElement, article_text: str) -> None:
    """Raise UnhealthyPageError naming the stand-in page, if the page is one."""
    reason = page_problem(raw_html, tree, article_text)
    if reason is not None:
        raise UnhealthyPageError(
            f"{url}: {reason}, not the article ({len(article_text)} characters of article text); "
            "not stored as a version",
            reason=reason,
        )


def body_length(article: Article) -> int:
    """Characters of body text, the measure a collapse is judged by."""
    return sum(len(paragraph) for paragraph in article.paragraphs)


def check_collapse(url: str, previous: Article, new: Article) -> None:
    """Raise UnhealthyPageError when the body shrank to a fraction of the last good version's."""
    before, after = body_length(previous), body_length(new)
    if before < COLLAPSE_MIN_PREVIOUS_CHARS or after >= before * COLLAPSE_FRACTION:
        return
    said = " ".join((new.title or "", *new.paragraphs))
    reason = (
        PAYWALL
        if _PAYWALL_WORDING.search(said)
        else CONSENT
        if _CONSENT_WORDING.search(said)
        else BOT_WALL
        if _BOT_WORDING.search(said)
        else COLLAPSED
    )
    raise UnhealthyPageError(
        f"{url}: {reason}: the body collapsed to {after * 100 // before}% of the last good version "
        f"({after} of {before} characters); not stored as a version",
        reason=reason,
    )

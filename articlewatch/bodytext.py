"""Which of the extractor's lines are the article's body. Pure; runs once per extraction.

trafilatura returns the article's text, but on real pages also lines that belong elsewhere:
- the headline again (first, or after teasers), also without the site name ("Headline - Site"):
  it is the title field, and a headline edit must be one change, not two;
- the byline as a line of its own ("By Sam Porter", "Robert Burns, AP National Security Writer",
  a name glued to a handle): it is the author field;
- headings whose block it dropped: "Recommended for you" above links it left out, menu labels
  stacked above the first text;
- teasers of the site's other articles: a list whose items are each one link to the same site;
- the page's own address as a line (a share or print link).
What stays is what the snapshot stores as paragraphs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import lxml.html

from .models import Article
from .normalize import clean_paragraphs, clean_text, comparison_key

# "Headline - Site" and the like: the separators a site name follows in a <title>.
TITLE_SEPARATORS = (" - ", " | ", " – ", " — ", " :: ")
MIN_HEADLINE_CHARS = 10
# A heading this short is a menu label when stacked above the article's first text.
MENU_LABEL_CHARS = 30
MENU_LABEL_WORDS = 4
# A teaser list links its site's other articles: this many items at least, each a headline.
TEASER_LIST_ITEMS = 3
TEASER_WORDS = 4
# A line that starts with the author's name and adds no more than this is the byline, not text.
BYLINE_SLACK = 25
_URL_LINE = re.compile(r"^https?://\S+$", re.IGNORECASE)
_NOT_WORD = re.compile(r"[^\w]+")
_BY = re.compile(r"^(?:by|von|par|por|door|di|av|af)\s+", re.IGNORECASE)
_AUTHOR_SEPARATORS = re.compile(r"\s*(?:;|,|\band\b|&|\|)\s*")


def body_paragraphs(
    text: str,
    body: Any,
    tree: lxml.html.HtmlElement,
    url: str,
    canonical: str | None,
    title: str | None,
    author: str | None,
) -> tuple[str, ...]:
    """The extracted text as clean paragraphs that are the article's body.

    `body` is trafilatura's output tree (its headings tell dropped blocks), `tree` the page.
    """
    # The site is named by the address fetched and by the page's canonical link (a page served
    # from a CDN or a mirror still links its own site's articles by the canonical host).
    hosts = {host for host in (urlsplit(address).hostname for address in (url, canonical) if address) if host}
    orphans = _orphan_headings(body)
    headlines = _headline_keys(title)
    bylines = _byline_keys(author)
    teasers = _teaser_links(tree, url, hosts)
    kept = []
    for paragraph in clean_paragraphs(text.split("\n")):
        key = comparison_key(paragraph)
        if paragraph in orphans or key in headlines or key in teasers or _is_byline(key, bylines):
            continue
        if _URL_LINE.match(paragraph) and urlsplit(paragraph).hostname in hosts:
            continue
        kept.append(paragraph)
    return tuple(kept)


@dataclass(frozen=True)
class MetaLines:
    """The lines that state the headline or the byline of any of some versions of an article.

    Extraction drops each version's own; comparing two versions drops either version's from both,
    so a line that repeats the old headline (a series' other issues, a "more like this" box) does
    not turn into an added paragraph when the headline changes.
    """

    headlines: frozenset[str]
    bylines: frozenset[str]

    @classmethod
    def of(cls, *articles: Article) -> MetaLines:
        """The headline and byline lines of these articles."""
        return cls(
            frozenset().union(*(_headline_keys(a.title) for a in articles)),
            frozenset().union(*(_byline_keys(a.author) for a in articles)),
        )

    def __call__(self, key: str) -> bool:
        """Whether a line (comparison key) states a headline or a byline."""
        return key in self.headlines or _is_byline(key, self.bylines)

    def without_headlines(self, key: str) -> str:
        """The line with every headline it quotes taken out ("| Headline by Jane Doe" -> "| by Jane Doe")."""
        for headline in sorted(self.headlines, key=len, reverse=True):
            key = key.replace(headline, "")
        return key


def _is_byline(key: str, bylines: frozenset[str]) -> bool:
    """The author field as a line: whole, after "By", or glued to a handle ("Jane Doejdoe")."""
    if not bylines:  # no author: nothing to compare, and cleaning every line was the cost
        return False
    plain = _plain(_BY.sub("", key))
    return plain in bylines or any(
        plain.startswith(name) and len(plain) <= len(name) + BYLINE_SLACK for name in bylines
    )


def _headline_keys(title: str | None) -> frozenset[str]:
    """The title's comparison key, also without a site name after a separator."""
    if not title:
        return frozenset()
    keys = {comparison_key(title)}
    for separator in TITLE_SEPARATORS:
        if separator in title:
            core = comparison_key(title.rsplit(separator, 1)[0])
            if len(core) >= MIN_HEADLINE_CHARS:
                keys.add(core)
    return frozenset(keys)


def _plain(text: str) -> str:
    return _NOT_WORD.sub(" ", text.lower()).strip()


def _byline_keys(author: str | None) -> frozenset[str]:
    """The author field in plain form, whole and name by name ("Jane Doe; AP" -> jane doe ap, ...)."""
    if not author:
        return frozenset()
    names = [author, *_AUTHOR_SEPARATORS.split(author)]
    return frozenset(plain for plain in (_plain(name) for name in names) if len(plain) >= 4)


def _teaser_links(tree: lxml.html.HtmlElement, url: str, hosts: set[str]) -> frozenset[str]:
    """Keys of the items of lists that only link the site's other articles ("Related: ...")."""
    teasers: set[str] = set()
    for lst in tree.iter("ul", "ol"):
        items = list(lst.iterchildren("li"))
        if len(items) < TEASER_LIST_ITEMS:
            continue
        texts = []
        for li in items:
            links = list(li.iter("a"))
            if len(links) != 1:  # before reading any text: most lists fail here, on their first item
                break
            text = clean_text(li.text_content()) or ""
            if clean_text(links[0].text_content()) != text:
                break
            if len(text.split()) < TEASER_WORDS or _link_host(url, links[0].get("href")) not in hosts:
                break
            texts.append(comparison_key(text))
        else:
            teasers.update(texts)
    return frozenset(teasers)


def _orphan_headings(body: Any) -> frozenset[str]:
    """Headings whose block the extractor emptied: "Recommended for you" above its dropped links.

    In trafilatura's output a heading is `<head>`; the links of a related-stories block leave
    empty elements behind. A heading followed by nothing but such empties up to the next heading,
    or by nothing at all up to the end, titles no text; so do short labels stacked above the first
    text (section menus). Other headings right above a heading are kept: listicles nest them.
    """
    if body is None:
        return frozenset()
    orphans: set[str] = set()
    pending: str | None = None  # the last heading, until text follows it
    emptied = False  # whether empty elements (dropped links) followed it
    leading = True  # no text yet: headings stacked above the start are section menus
    for element in body:
        joined = " ".join(element.itertext())
        if element.tag == "head":
            if pending is not None and (emptied or leading and _is_label(pending)):
                orphans.add(pending)
            pending, emptied = clean_text(joined), False
        elif _has_text(joined):
            pending, leading = None, False
        else:
            emptied = True
    if pending is not None:  # a heading at the very end has nothing under it
        orphans.add(pending)
    return frozenset(orphans)


def _link_host(url: str, href: str | None) -> str | None:
    """The host a link goes to; None for an address no browser could follow ("http://[x")."""
    try:
        return urlsplit(urljoin(url, href or "")).hostname
    except ValueError:
        return None


def _has_text(text: str) -> bool:
    """Whether clean_text(text) is not None, without its cost (a third of the body's).

    clean_text drops only whitespace, and its Unicode normalization (NFC) turns no other character
    into whitespace nor whitespace into anything else (tests/test_bodytext.py checks this).
    """
    return bool(text) and not text.isspace()


def _is_label(heading: str) -> bool:
    """A menu label ("Sections", "분야별 뉴스") rather than a headline: a few words, no sentence."""
    return len(heading) <= MENU_LABEL_CHARS and len(heading.split()) <= MENU_LABEL_WORDS

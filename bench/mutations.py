"""Later versions of a real page, made by editing its DOM: furniture-only changes and real body edits.

The evaluation needs to know where the article body is on each page without asking the system under
test: the corpus' ground truth (the true article body) locates body paragraphs in the HTML, and the
edits are made there. Furniture changes touch only what is not article text (navigation, link lists,
footer, tokens, counters, relative ages, inserted blocks).

Every page is first *instrumented* the way real news pages are (a breaking-news ticker, a meta line
with a relative age and counters right above the body, reader comments below it, a CSRF token, a
script nonce, a cache-busted stylesheet), so each kind of volatile furniture exists on every page;
the instrumented page is the base version the pipeline checks first, and every mutation starts
from it.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import lxml.html
from lxml import etree

from articlewatch.models import (
    NOTE_CORRECTION,
    NOTE_NUMBER,
    PARAGRAPH_ADDED,
    PARAGRAPH_EDITED,
    PARAGRAPH_MOVED,
    PARAGRAPH_REMOVED,
)

FURNITURE = "furniture"
EDIT = "edit"
STAMP_ONLY = "stamp_only"  # a Mutation note: the check must call the change a stamp-only update

_SKIP_TAGS = frozenset({"script", "style", "noscript", "template", "head", "title", "svg", "iframe"})
_BLOCK_TAGS = frozenset(
    {"p", "div", "li", "blockquote", "h2", "h3", "h4", "h5", "h6", "td", "dd", "section", "span", "pre"}
)
_PAGE_TAGS = frozenset({"html", "body", "main"})
_AUTHOR_HINT = re.compile(r"author|byline|vcard|writer", re.I)
_SPACE = re.compile(r"\s+")
_NUMBER = re.compile(r"\d+")
_NAV_HINT = re.compile(r"(?:^|[-_\s])(?:nav|navbar|navigation|menu|menubar|breadcrumbs?)(?:$|[-_\s])", re.I)
_FOOTER_HINT = re.compile(r"(?:^|[-_\s])(?:footer|site-info|colophon)(?:$|[-_\s])", re.I)
_TOKEN_NAME = re.compile(r"csrf|xsrf|token|authenticity|nonce|_wpnonce", re.I)
_CACHE_BUSTER = re.compile(r"([?&](?:v|ver|version|t|ts|cb|rev|_)=)([\w.-]+)")
_COPYRIGHT_YEAR = re.compile(r"((?:©|\(c\)|copyright)\s*(?:\d{4}\s*[-–]\s*)?)((?:19|20)\d\d)\b", re.I)

# Text of the instrumented meta line; the furniture mutations move each value.
_AGE_LINE = "{age} hours ago"
_COUNTERS = ("{comments} comments", "{shares} shares")

NEW_PARAGRAPH = (
    "In a statement released on Tuesday evening, the agency said it would review the findings "
    "and publish its conclusions before the end of next month."
)
CORRECTION = (
    "Correction: An earlier version of this article misstated the year in which the agreement "
    "was first signed. It was signed a year earlier than reported."
)
INSERTED_WORD = "reportedly"
RECOMMENDED = (
    "Scientists map the ocean floor in unprecedented detail",
    "The ten best budget laptops you can buy right now",
    "Why the housing market is cooling faster than expected",
    "A chef's guide to the perfect weeknight pasta",
)
NEW_LINK_TEXT = "Live: election results as they come in"
TICKER = (
    "Breaking: markets open higher after the central bank's decision",
    "Breaking: storm warning issued for the coast tonight",
)
READER_COMMENTS = (
    ("northern_light", "Twelve names and not one shred of evidence shown. Typical."),
    ("MarketWatcher88", "Good. Now can we get back to talking about the economy?"),
    ("Leyla", "The real question is what was agreed behind closed doors."),
)
COOKIE_BANNER = (
    "We use cookies to improve your experience and to show you relevant advertising. "
    "By continuing to browse you agree to our use of cookies."
)


@dataclass(frozen=True)
class Mutation:
    """A later version of a page: what was changed and what a correct check must report."""

    kind: str
    group: str  # FURNITURE or EDIT
    html: str
    expected: frozenset[str] = frozenset()  # significant change kinds; empty for furniture
    before: str | None = None  # the edited paragraph as the base version has it
    after: str | None = None  # ... and as this version has it
    note: str | None = None  # a change note the check must report (NOTE_NUMBER, ..., or STAMP_ONLY)


@dataclass
class PreparedPage:
    """An instrumented page and the body paragraphs located in it."""

    tree: lxml.html.HtmlElement
    html: str
    body_paths: list[str] = field(default_factory=list)  # xpaths of located body paragraphs
    body_texts: list[str] = field(default_factory=list)
    variant: int = 0  # picks among the stamp formats, so the corpus sees all of them
    truth_key: str = ""  # the whole true body in comparison form
    key: Callable[[str], str] = str  # the comparison form used to match text


def text_of(el: lxml.html.HtmlElement) -> str:
    """An element's text as a reader sees it: all its text, whitespace collapsed."""
    return _SPACE.sub(" ", el.text_content()).strip()


def serialize(tree: lxml.html.HtmlElement) -> str:
    """The page as HTML text (doctype kept)."""
    return lxml.html.tostring(tree, encoding="unicode", doctype="<!DOCTYPE html>")


def parse(html: str) -> lxml.html.HtmlElement:
    """A page's tree; bytes of any declared encoding were decoded by the corpus loader already."""
    try:
        return lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        return lxml.html.document_fromstring(html.encode("utf-8", "replace"))


def instrument(html: str, variant: int) -> PreparedPage:
    """The base version: the page plus the volatile furniture every real news page carries."""
    tree = parse(html)
    head = tree.find("head")
    if head is None:
        head = etree.SubElement(tree, "head")
        tree.insert(0, head)
    body = tree.find("body")
    if body is None:
        body = etree.SubElement(tree, "body")
    for tag, attrs in (
        ("meta", {"name": "csrf-token", "content": "k3J9xQ2vT8mWb7Lp"}),
        ("link", {"rel": "stylesheet", "href": "/assets/site.css?v=1041"}),
    ):
        head.append(etree.Element(tag, attrs))
    script = etree.SubElement(head, "script", {"nonce": "r4nd0mN0nc3"})
    script.text = 'window.__CSP_NONCE__ = "r4nd0mN0nc3";'
    ticker = etree.Element("div", {"class": "breaking-ticker"})
    etree.SubElement(ticker, "a", {"href": "/live"}).text = TICKER[0]
    body.insert(0, ticker)
    form = etree.SubElement(body, "form", {"class": "newsletter-signup", "action": "/subscribe"})
    etree.SubElement(form, "input", {"type": "hidden", "name": "csrf_token", "value": "k3J9xQ2vT8mWb7Lp"})
    return PreparedPage(tree=tree, html="", variant=variant)


def locate_body(page: PreparedPage, truth: tuple[str, ...], key: Callable[[str], str]) -> None:
    """Find the elements holding the true body paragraphs; then add the meta line above the first."""
    page.key = key
    page.truth_key = key(" ".join(truth))
    wanted = {key(p): p for p in truth if len(p) >= 30}
    found: dict[str, list[lxml.html.HtmlElement]] = {}
    body = page.tree.find("body")
    for el in body.iter() if body is not None else ():
        if not isinstance(el.tag, str) or el.tag not in _BLOCK_TAGS or _inside_skipped(el):
            continue
        text = text_of(el)
        if len(text) < 30:
            continue
        k = key(text)
        if k in wanted:
            found.setdefault(k, []).append(el)
    located = []
    for elements in found.values():
        # the innermost of nested matches; a text found in two unrelated places is ambiguous
        innermost = [el for el in elements if not any(other in el.iterdescendants() for other in elements)]
        if len(innermost) == 1:
            located.append(innermost[0])
    order = {el: n for n, el in enumerate(page.tree.iter())}
    located.sort(key=order.__getitem__)
    if located:
        first = located[0]
        meta = etree.Element("div", {"class": "article-meta"})
        age = etree.SubElement(meta, "span", {"class": "age"})
        age.text = _AGE_LINE.format(age=3)
        age.tail = " · "
        comments = etree.SubElement(meta, "a", {"href": "#comments", "class": "comment-count"})
        comments.text = _COUNTERS[0].format(comments=12)
        comments.tail = " · "
        shares = etree.SubElement(meta, "span", {"class": "share-count"})
        shares.text = _COUNTERS[1].format(shares="1,204")
        first.addprevious(meta)
        container = located[-1].getparent()
        comments_at = container if container is not None and container.tag != "body" else located[-1]
        comments_at.addnext(_comments_section(READER_COMMENTS[:2]))
    root = page.tree.getroottree()
    page.body_paths = [root.getpath(el) for el in located]
    page.body_texts = [text_of(el) for el in located]
    page.html = serialize(page.tree)


def _comments_section(comments: tuple[tuple[str, str], ...]) -> lxml.html.HtmlElement:
    section = etree.Element("section", {"id": "comments", "class": "comments-area"})
    etree.SubElement(section, "h3", {"class": "comments-title"}).text = f"{len(comments)} Comments"
    for author, text in comments:
        comment = etree.SubElement(section, "div", {"class": "comment"})
        etree.SubElement(comment, "p", {"class": "comment-author"}).text = author
        etree.SubElement(comment, "p", {"class": "comment-body"}).text = text
    return section


def restrict_body(page: PreparedPage, accept: Callable[[str], bool]) -> None:
    """Keep only the located paragraphs whose text accept() takes (those the extractions contain)."""
    kept = [(path, text) for path, text in zip(page.body_paths, page.body_texts, strict=True) if accept(text)]
    page.body_paths = [path for path, _ in kept]
    page.body_texts = [text for _, text in kept]


def _inside_skipped(el: lxml.html.HtmlElement) -> bool:
    return any(isinstance(a.tag, str) and a.tag in _SKIP_TAGS for a in el.iterancestors())


# --- helpers over a copy of the base tree ---------------------------------------------------------


class PageCopy:
    """A fresh copy of the base tree with the located body paragraphs resolved in it."""

    def __init__(self, page: PreparedPage) -> None:
        self.tree = copy.deepcopy(page.tree)
        root = self.tree.getroottree()
        self.body = [root.xpath(path)[0] for path in page.body_paths]
        self._inside = {node for b in self.body for node in b.iter()}
        self._holding = {a for b in self.body for a in b.iterancestors()}
        # the innermost element holding every located paragraph: the article's text block
        shared = set.intersection(*(set(b.iterancestors()) for b in self.body)) if self.body else set()
        root = max(shared, key=lambda a: sum(1 for _ in a.iterancestors()), default=None)
        self._article = set(root.iter()) if root is not None and root.tag not in _PAGE_TAGS else set()

    def in_article(self, el: lxml.html.HtmlElement) -> bool:
        """Whether an element sits in the block that holds the article's text."""
        return el in self._article

    def html(self) -> str:
        """The mutated page as HTML text."""
        return serialize(self.tree)

    def inside_body(self, el: lxml.html.HtmlElement) -> bool:
        """Whether an element is or sits inside a located body paragraph."""
        return el in self._inside

    def in_body(self, el: lxml.html.HtmlElement) -> bool:
        """Whether an element is, holds or sits inside a located body paragraph."""
        return el in self._inside or el in self._holding


def _text_slots(el: lxml.html.HtmlElement) -> Iterator[tuple[lxml.html.HtmlElement, str]]:
    """(element, "text"|"tail") for every text node inside el, in reading order."""
    for node in el.iter():
        if isinstance(node.tag, str) and node.text and node.tag not in _SKIP_TAGS:
            yield node, "text"
        for child in node:
            if child.tail:
                yield child, "tail"


def _replace_in_slots(el: lxml.html.HtmlElement, change: Callable[[str], str | None]) -> bool:
    """Apply change to the first text node it accepts (returns a new string); True when one did."""
    for node, slot in _text_slots(el):
        value = getattr(node, slot)
        new = change(value)
        if new is not None and new != value:
            setattr(node, slot, new)
            return True
    return False


def _remove_keeping_tail(el: lxml.html.HtmlElement) -> None:
    el.drop_tree()  # lxml.html's drop_tree joins the tail to the previous text


def _middle(items: list[int]) -> int:
    return items[len(items) // 2]


def _standalone(a: lxml.html.HtmlElement) -> bool:
    """A link that is all the text of its parent (a menu item), not a link inside running text."""
    parent = a.getparent()
    return parent is not None and text_of(parent) == text_of(a)


def _menu_link(c: PageCopy, a: lxml.html.HtmlElement) -> bool:
    """A link of the page's chrome: standalone, with text, outside the article, not a byline."""
    return (
        bool(text_of(a))
        and _standalone(a)
        and not c.in_article(a)
        and not c.in_body(a)
        and not _in_tag(a, ("p",))
        and not _hinted(a, _AUTHOR_HINT)
        and (a.get("rel") or "") != "author"
    )


def _rotate_texts(links: list[lxml.html.HtmlElement], fresh: str) -> bool:
    texts = [text_of(a) for a in links]
    if len([t for t in texts if t]) < 2:
        return False
    rotated = texts[1:] + texts[:1]
    rotated[0] = fresh
    for link, text in zip(links, rotated, strict=True):
        for child in list(link):
            if child.tag in ("img", "svg", "picture"):
                continue
            child.drop_tree()
        link.text = text
    return True


def _hinted(el: lxml.html.HtmlElement, pattern: re.Pattern[str]) -> bool:
    """Whether el or a container of it is marked (class, id, role) as matching pattern.

    The page's <html>, <body> and <main> are not asked: themes put every layout word in their
    classes ("html_bottom_nav_header").
    """
    return any(
        pattern.search(f"{a.get('class', '')} {a.get('id', '')} {a.get('role', '')}")
        for a in (el, *el.iterancestors())
        if isinstance(a.tag, str) and a.tag not in _PAGE_TAGS
    )


def _in_tag(el: lxml.html.HtmlElement, tags: tuple[str, ...]) -> bool:
    return any(a.tag in tags for a in el.iterancestors())


# --- furniture ------------------------------------------------------------------------------------


def _nav_links(page: PreparedPage) -> str | None:
    c = PageCopy(page)
    links = [
        a for a in c.tree.iter("a") if (_in_tag(a, ("nav",)) or _hinted(a, _NAV_HINT)) and _menu_link(c, a)
    ]
    return c.html() if _rotate_texts(links[:40], "Elections 2026") else None


def _link_lists(page: PreparedPage) -> str | None:
    c = PageCopy(page)
    changed = 0
    for lst in list(c.tree.iter("ul", "ol")):
        items = [li for li in lst if li.tag == "li"]
        if len(items) < 3 or c.in_body(lst) or _in_tag(lst, ("nav",)) or _hinted(lst, _NAV_HINT):
            continue
        if any(page.truth_key and page.key(text_of(li)) in page.truth_key for li in items):
            continue  # a list the article itself holds: its text, not furniture
        links = []
        for li in items:
            anchors = [a for a in li.iter("a") if text_of(a)]
            linked = sum(len(text_of(a)) for a in anchors)
            if not anchors or linked < 0.8 * max(len(text_of(li)), 1):
                break
            links.append(anchors[0])
        else:
            if _rotate_texts(links, NEW_LINK_TEXT):
                changed += 1
        if changed >= 3:
            break
    return c.html() if changed else None


def _footer_links(page: PreparedPage) -> str | None:
    c = PageCopy(page)
    links = [
        a
        for a in c.tree.iter("a")
        if (_in_tag(a, ("footer",)) or _hinted(a, _FOOTER_HINT)) and _menu_link(c, a)
    ]
    return c.html() if _rotate_texts(links[:40], "Careers at the newsroom") else None


def _recommended_block(page: PreparedPage) -> str | None:
    c = PageCopy(page)
    if not c.body:
        return None
    block = etree.Element("div", {"class": "recommended"})
    heading = etree.SubElement(block, "h3")
    heading.text = "Recommended for you"
    lst = etree.SubElement(block, "ul")
    for n, title in enumerate(RECOMMENDED):
        a = etree.SubElement(etree.SubElement(lst, "li"), "a", {"href": f"/recommended/{n}"})
        a.text = title
    c.body[-1].addnext(block)
    return c.html()


def _ad_slot(page: PreparedPage) -> str | None:
    c = PageCopy(page)
    if len(c.body) < 3:
        return None
    slot = etree.Element("div", {"class": "ad-slot"})
    for text in ("Advertisement", "Story continues below advertisement"):
        etree.SubElement(slot, "p").text = text
    c.body[1].addnext(slot)
    return c.html()


def _cookie_banner(page: PreparedPage) -> str | None:
    c = PageCopy(page)
    body = c.tree.find("body")
    if body is None:
        return None
    banner = etree.Element("div", {"id": "cookie-consent", "class": "cookie-banner"})
    etree.SubElement(banner, "p").text = COOKIE_BANNER
    etree.SubElement(banner, "button").text = "Accept all"
    body.insert(0, banner)
    return c.html()


def _csrf_token(page: PreparedPage) -> str | None:
    c = PageCopy(page)
    changed = 0
    for el in c.tree.iter("input", "meta"):
        name = el.get("name") or ""
        attr = "value" if el.tag == "input" else "content"
        if _TOKEN_NAME.search(name) and el.get(attr):
            el.set(attr, el.get(attr)[::-1] + "Z9")
            changed += 1
    return c.html() if changed else None


def _nonce(page: PreparedPage) -> str | None:
    c = PageCopy(page)
    changed = 0
    for el in c.tree.iter("script", "style", "link"):
        nonce = el.get("nonce")
        if nonce:
            new = nonce[::-1] + "q"
            el.set("nonce", new)
            if el.text and nonce in el.text:
                el.text = el.text.replace(nonce, new)
            changed += 1
    return c.html() if changed else None


def _cache_buster(page: PreparedPage) -> str | None:
    c = PageCopy(page)
    changed = 0
    for el in c.tree.iter("link", "script", "img", "source"):
        for attr in ("href", "src"):
            value = el.get(attr)
            if value and _CACHE_BUSTER.search(value):
                el.set(attr, _CACHE_BUSTER.sub(lambda m: m[1] + m[2] + "7", value))
                changed += 1
    return c.html() if changed else None


def _meta_line(c: PageCopy) -> lxml.html.HtmlElement | None:
    return next((el for el in c.tree.iter("div") if el.get("class") == "article-meta"), None)


def _counters(page: PreparedPage) -> str | None:
    c = PageCopy(page)
    meta = _meta_line(c)
    if meta is None:
        return None
    for el in meta:
        if el.get("class") == "comment-count":
            el.text = _COUNTERS[0].format(comments=15)
        elif el.get("class") == "share-count":
            el.text = _COUNTERS[1].format(shares="1,377")
    return c.html()


def _relative_dates(page: PreparedPage) -> str | None:
    c = PageCopy(page)
    meta = _meta_line(c)
    if meta is None:
        return None
    for el in meta:
        if el.get("class") == "age":
            el.text = _AGE_LINE.format(age=4)
    return c.html()


def _reader_comment(page: PreparedPage) -> str | None:
    c = PageCopy(page)
    section = next((el for el in c.tree.iter("section") if el.get("id") == "comments"), None)
    if section is None:
        return None
    section.addnext(_comments_section(READER_COMMENTS))
    section.drop_tree()
    return c.html()


def _ticker(page: PreparedPage) -> str | None:
    c = PageCopy(page)
    ticker = next((el for el in c.tree.iter("div") if el.get("class") == "breaking-ticker"), None)
    if ticker is None:
        return None
    ticker[0].text = TICKER[1]
    return c.html()


def _footer_year(page: PreparedPage) -> str | None:
    c = PageCopy(page)
    changed = 0
    for el in c.tree.iter():
        if (
            isinstance(el.tag, str)
            and (el.tag == "footer" or _hinted(el, _FOOTER_HINT))
            and not c.in_body(el)
        ):
            for node, slot in _text_slots(el):
                value = getattr(node, slot)
                new = _COPYRIGHT_YEAR.sub(lambda m: m[1] + str(int(m[2]) + 1), value)
                if new != value:
                    setattr(node, slot, new)
                    changed += 1
            if changed:
                break
    return c.html() if changed else None


FURNITURE_MUTATIONS: dict[str, Callable[[PreparedPage], str | None]] = {
    "nav_links": _nav_links,
    "link_lists": _link_lists,
    "footer_links": _footer_links,
    "footer_year": _footer_year,
    "recommended_block": _recommended_block,
    "ad_slot": _ad_slot,
    "cookie_banner": _cookie_banner,
    "reader_comment": _reader_comment,
    "breaking_ticker": _ticker,
    "csrf_token": _csrf_token,
    "nonce": _nonce,
    "cache_buster": _cache_buster,
    "counters": _counters,
    "relative_dates": _relative_dates,
}


# --- body edits -----------------------------------------------------------------------------------


def _body_order(c: PageCopy) -> list[int]:
    """Indexes of the located paragraphs, middle ones first (the lede and the end are special)."""
    n = len(c.body)
    return sorted(range(n), key=lambda i: (abs(i - n // 2), i))


def _number_changed(page: PreparedPage) -> Mutation | None:
    c = PageCopy(page)
    for i in _body_order(c):
        el = c.body[i]
        before = text_of(el)

        def bump(s: str) -> str | None:
            m = _NUMBER.search(s)
            if m is None:
                return None
            return s[: m.start()] + str(int(m[0]) + 1) + s[m.end() :]

        if _replace_in_slots(el, bump):
            return Mutation(
                "number_changed",
                EDIT,
                c.html(),
                frozenset({PARAGRAPH_EDITED}),
                before,
                text_of(el),
                note=NOTE_NUMBER,
            )
    return None


def _word_inserted(page: PreparedPage) -> Mutation | None:
    c = PageCopy(page)
    for i in _body_order(c):
        el = c.body[i]
        before = text_of(el)

        def insert(s: str) -> str | None:
            words = s.split(" ")
            if len([w for w in words if w]) < 6:
                return None
            return " ".join(words[:3] + [INSERTED_WORD] + words[3:])

        if _replace_in_slots(el, insert):
            return Mutation(
                "word_inserted", EDIT, c.html(), frozenset({PARAGRAPH_EDITED}), before, text_of(el)
            )
    return None


def _paragraph_added(page: PreparedPage) -> Mutation | None:
    c = PageCopy(page)
    if not c.body:
        return None
    anchor = c.body[_middle(_body_order(c))]
    new = etree.Element(anchor.tag if anchor.tag == "p" else "p")
    new.text = NEW_PARAGRAPH
    anchor.addnext(new)
    return Mutation("paragraph_added", EDIT, c.html(), frozenset({PARAGRAPH_ADDED}), None, NEW_PARAGRAPH)


def _paragraph_removed(page: PreparedPage) -> Mutation | None:
    c = PageCopy(page)
    if len(c.body) < 3:
        return None
    el = c.body[_middle(_body_order(c))]
    before = text_of(el)
    _remove_keeping_tail(el)
    return Mutation("paragraph_removed", EDIT, c.html(), frozenset({PARAGRAPH_REMOVED}), before, None)


def _paragraph_moved(page: PreparedPage) -> Mutation | None:
    c = PageCopy(page)
    if len(c.body) < 4:
        return None
    # From the middle to just above the last paragraph: past at least two others, and still
    # inside the text (a paragraph put after the last one may land where extraction stops).
    i = min(_middle(_body_order(c)), len(c.body) - 4)
    el, anchor = c.body[i], c.body[-1]
    if el in anchor.iterancestors() or anchor in el.iterancestors():
        return None
    text = text_of(el)
    tail, el.tail = el.tail, None
    previous = el.getprevious()
    parent = el.getparent()
    parent.remove(el)
    if tail:  # keep the text that followed the paragraph where it was
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    anchor.addprevious(el)
    return Mutation("paragraph_moved", EDIT, c.html(), frozenset({PARAGRAPH_MOVED}), text, text)


def _correction(page: PreparedPage) -> Mutation | None:
    c = PageCopy(page)
    if not c.body:
        return None
    last = c.body[-1]
    note = etree.Element("p", {"class": "correction"})
    etree.SubElement(note, "em").text = CORRECTION
    last.addnext(note)
    return Mutation(
        "correction_appended",
        EDIT,
        c.html(),
        frozenset({PARAGRAPH_ADDED}),
        None,
        CORRECTION,
        note=NOTE_CORRECTION,
    )


PARAGRAPH_EDITS: dict[str, Callable[[PreparedPage], Mutation | None]] = {
    "number_changed": _number_changed,
    "word_inserted": _word_inserted,
    "paragraph_added": _paragraph_added,
    "paragraph_removed": _paragraph_removed,
    "paragraph_moved": _paragraph_moved,
    "correction_appended": _correction,
}


def furniture_changes(page: PreparedPage) -> list[tuple[str, Mutation | None]]:
    """Every furniture-only change for a page as (kind, mutation), None where the page has no such part."""
    out: list[tuple[str, Mutation | None]] = []
    for kind, make in FURNITURE_MUTATIONS.items():
        html = make(page)
        out.append((kind, Mutation(kind, FURNITURE, html) if html is not None else None))
    return out


def paragraph_edits(page: PreparedPage) -> list[tuple[str, Mutation | None]]:
    """Every edit of the body paragraphs as (kind, mutation), None where the page is too short for it."""
    return [(kind, make(page)) for kind, make in PARAGRAPH_EDITS.items()]

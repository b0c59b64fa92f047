"""Edits of what sits around the body: the headline, the byline, the publication date, the update stamp.

A CMS changes such a value everywhere the page states it (visible text, meta tags, JSON-LD), so these
edits do too. Dates are found by their own patterns here (several languages, numeric and written
forms), independent of the stamp parser under test, and only the day number is changed, so every
form keeps its style. The published date is changed where the page states the published date, the
update stamp where it states the update: a label ("Updated", "Aktualisiert", ...) or a hint
(`dateModified`, `article:modified_time`, class="updated") tells which is which.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta

import lxml.html

from articlewatch.diff import same_moment
from articlewatch.models import AUTHOR, PUBLISHED, TITLE, UPDATED, Article
from articlewatch.normalize import comparison_key

from .mutations import EDIT, STAMP_ONLY, Mutation, PageCopy, PreparedPage, text_of

NEW_BYLINE = "Alex Morgan"
HEADLINE_SUFFIX = ", officials say"

_SKIP = frozenset({"script", "style", "noscript", "template", "svg", "iframe"})
_HEADING_TAGS = frozenset({"h1", "h2", "h3", "title"})
_TITLE_HINT = re.compile(r"title|headline", re.I)
_URL_LIKE = re.compile(r"^\s*(?:(?:https?|ftp|mailto|data|javascript):|//|/)", re.I)
_SMALL = 200  # a container this short is a stamp line or a byline box, not prose
_BYLINE = 100  # a byline ("By Jane Doe, Staff Writer"); an author bio is longer
_BYLINE_BEFORE = re.compile(
    r"^\W*(?:(?:posted|written|words|story|text|reporting)\s+)?(?:by|von|par|por|door|di)?\W*$", re.I
)
_PROSE_AFTER = re.compile(
    r"^(?:['’]s\b|\s+(?:is|was|has|had|writes|wrote|covers|reports|joined|lives|said)\b)"
)
_UPDATE_HINT = re.compile(r"modif|updat|lastmod|last-modified|edited", re.I)
_PUBLISH_HINT = re.compile(r"publish|pubdate|created|posted|issued", re.I)
_UPDATE_LABEL = re.compile(
    r"updated?|last\s+updated|modified|edited|revised|aktualisiert|geändert|mis\s+à\s+jour|mise\s+à\s+jour"
    r"|actualizad[oa]|atualizad[oa]|aggiornat[oa]|güncelleme|güncellendi|bijgewerkt|обновлен[оа]?"
    r"|diperbarui|수정|업데이트|更新",
    re.I,
)
_PUBLISH_LABEL = re.compile(
    r"published|posted|publié|publiée|veröffentlicht|publicad[oa]|pubblicat[oa]|yayınlanma|gepubliceerd"
    r"|опубликован[оа]?|diterbitkan|입력|기사입력|发布|公開",
    re.I,
)
_LD_FIELDS = {PUBLISHED: ("datePublished", "dateCreated"), UPDATED: ("dateModified",)}

# Month names in the languages of the corpus, written out here rather than borrowed from the
# stamp parser, so a form the parser misses is still edited (and its miss is counted).
_MONTHS = {
    1: "january jan janvier janv januar jänner enero ene gennaio gen janeiro januari ocak января",
    2: "february feb février févr februar febrero febbraio fevereiro fev februari şubat февраля",
    3: "march mar mars märz marzo março maret maart mart марта",
    4: "april apr avril abril aprile nisan апреля",
    5: "may mai mayo maggio maio mei mayıs мая",
    6: "june jun juin juni junio giugno junho haziran июня",
    7: "july jul juillet juil juli julio luglio julho temmuz июля",
    8: "august aug août agosto agustus ağustos augustus августа",
    9: "september sep sept septembre septiembre settembre setembro eylül сентября",
    10: "october oct octobre oktober octubre ottobre outubro okt ekim октября",
    11: "november nov novembre noviembre novembro kasım ноября",
    12: "december dec décembre dezember diciembre dicembre dezembro desember des aralık декабря",
}


def date_patterns(day: date) -> list[re.Pattern[str]]:
    """Patterns of one calendar date in the common numeric and written forms; group `d` is the day."""
    y, m, d = day.year, day.month, day.day
    yy = f"(?:{y}|{y % 100:02d})"
    months = "|".join(sorted((re.escape(n) for n in _MONTHS[m].split()), key=len, reverse=True))
    not_letter = r"(?<![^\W\d_])"
    return [
        re.compile(rf"(?<!\d){y}([-/.])0?{m}\1(?P<d>0?{d})(?!\d)"),
        re.compile(rf"(?<![\d./-])(?P<d>0?{d})([./-])0?{m}\2{yy}(?!\d)"),
        re.compile(rf"(?<![\d./-])0?{m}([./-])(?P<d>0?{d})\1{yy}(?!\d)"),
        re.compile(
            rf"(?<!\d)(?P<d>0?{d})(?:st|nd|rd|th|er|º|\.)?\s*(?:de\s+)?{not_letter}(?:{months})"
            rf"(?![^\W\d_])\.?,?\s*(?:de\s+)?{y}(?!\d)",
            re.I,
        ),
        re.compile(
            rf"{not_letter}(?:{months})(?![^\W\d_])\.?\s*(?P<d>0?{d})(?:st|nd|rd|th)?,?\s*{y}(?!\d)", re.I
        ),
        re.compile(rf"{y}\s*[年년]\s*0?{m}\s*[月월]\s*(?P<d>0?{d})(?!\d)"),
    ]


def _shift_day(text: str, patterns: list[re.Pattern[str]], new_day: int, keep: Callable[[int], bool]) -> str:
    """text with the day number of each date match whose start `keep` accepts set to new_day."""
    for pattern in patterns:

        def swap(m: re.Match[str]) -> str:
            if not keep(m.start()):
                return m[0]
            old = m["d"]
            new = f"{new_day:02d}" if len(old) == 2 else str(new_day)
            s, e = m.start("d") - m.start(), m.end("d") - m.start()
            return m[0][:s] + new + m[0][e:]

        text = pattern.sub(swap, text)
    return text


def _reading_order(el: lxml.html.HtmlElement) -> Iterator[tuple[lxml.html.HtmlElement, str]]:
    """(node, "text"|"tail") for the text nodes inside el in the order a reader meets them."""
    if isinstance(el.tag, str) and el.tag in _SKIP:
        return
    if isinstance(el.tag, str) and el.text:
        yield el, "text"
    for child in el:
        yield from _reading_order(child)
        if child.tail:
            yield child, "tail"


def _containers(c: PageCopy, el: lxml.html.HtmlElement) -> Iterator[list[tuple[lxml.html.HtmlElement, str]]]:
    """Groups of text nodes read together: each largest short element, else single text nodes."""
    if not isinstance(el.tag, str) or el.tag in _SKIP or c.inside_body(el) or el.tag in ("h1", "title"):
        return  # a date the headline names ("Opening Bell 11.18.19") is no stamp
    if len(text_of(el)) <= _SMALL and not _TITLE_HINT.search(_own_hints(el)):
        yield list(_reading_order(el))
        return
    if el.text:
        yield [(el, "text")]
    for child in el:
        yield from _containers(c, child)
        if child.tail:
            yield [(child, "tail")]


def _visible_dates(c: PageCopy, day: date, new_day: int, context: str) -> int:
    """Shift a date in visible text where the label before it says it is the `context` date."""
    body = c.tree.find("body")
    if body is None:
        return 0
    patterns = date_patterns(day)
    order = {el: n for n, el in enumerate(c.tree.iter())}
    body_start = order[c.body[0]] if c.body else len(order)
    count = 0
    for group in _containers(c, body):
        # a date in the text below the first paragraph is the article's (a quoted tweet's, an
        # event's) unless a label says it is the stamp
        above = bool(group) and order.get(group[0][0], 0) < body_start
        seen = ""
        for node, slot in group:
            value = getattr(node, slot) or ""

            def keep(start: int, prefix: str = seen, value: str = value, above: bool = above) -> bool:
                before = prefix + value[:start]
                update = max((m.end() for m in _UPDATE_LABEL.finditer(before)), default=-1)
                publish = max((m.end() for m in _PUBLISH_LABEL.finditer(before)), default=-1)
                if not (above or update >= 0 or publish >= 0):
                    return False
                return (update > publish) == (context == UPDATED)

            new = _shift_day(value, patterns, new_day, keep)
            if new != value:
                setattr(node, slot, new)
                count += 1
            seen += value
    return count


def _own_hints(el: lxml.html.HtmlElement) -> str:
    return " ".join(el.get(a, "") for a in ("class", "id", "itemprop", "name", "property"))


def _hints(el: lxml.html.HtmlElement) -> str:
    parent = el.getparent()
    parent_hints = " ".join(parent.get(a, "") for a in ("class", "itemprop")) if parent is not None else ""
    return f"{_own_hints(el)} {parent_hints}"


def _attribute_dates(c: PageCopy, day: date, new_day: int, context: str) -> int:
    """Shift a date in attribute values (meta content, datetime, hidden inputs) of the context."""
    patterns = date_patterns(day)
    count = 0
    for el in c.tree.iter():
        if not isinstance(el.tag, str) or el.tag == "script" or c.inside_body(el):
            continue
        hints = _hints(el)
        if _TITLE_HINT.search(_own_hints(el)):
            continue  # a headline that names a date ("Opening Bell 11.18.19") keeps it
        # WordPress marks an unedited post's one date `class="published updated"`: published
        is_update = bool(_UPDATE_HINT.search(hints)) and not _PUBLISH_HINT.search(hints)
        if is_update != (context == UPDATED):
            continue
        for name, value in el.attrib.items():
            if name in ("href", "src", "srcset", "class", "id") or _URL_LIKE.match(value):
                continue
            new = _shift_day(value, patterns, new_day, lambda _: True)
            if new != value:
                el.set(name, new)
                count += 1
    return count


def _json_ld_dates(c: PageCopy, day: date, new_day: int, context: str) -> int:
    """Shift a date in the JSON-LD fields of the context (datePublished or dateModified)."""
    patterns = date_patterns(day)
    fields = "|".join(_LD_FIELDS[context])
    field_value = re.compile(rf'("(?:{fields})"\s*:\s*")([^"]*)(")')
    count = 0
    for el in c.tree.iter("script"):
        if "ld+json" not in (el.get("type") or "") or not el.text:
            continue
        new = field_value.sub(
            lambda m: m[1] + _shift_day(m[2], patterns, new_day, lambda _: True) + m[3], el.text
        )
        if new != el.text:
            el.text = new
            count += 1
    return count


def shift_date(c: PageCopy, day: date, new_day: int, context: str) -> int:
    """Change the day of one date wherever the page states it as its `context` date; how many places."""
    return (
        _visible_dates(c, day, new_day, context)
        + _attribute_dates(c, day, new_day, context)
        + _json_ld_dates(c, day, new_day, context)
    )


def _replace_text(
    c: PageCopy, old: str, new: str, accept: Callable[[lxml.html.HtmlElement, str], bool]
) -> int:
    """Replace old by new in non-URL attributes, JSON-LD (also \\u-escaped) and text nodes accept() takes."""
    escaped_old, escaped_new = json.dumps(old)[1:-1], json.dumps(new)[1:-1]
    count = 0
    for el in c.tree.iter():
        if not isinstance(el.tag, str) or c.inside_body(el):
            continue
        for name, value in el.attrib.items():
            if name not in ("href", "src", "srcset") and not _URL_LIKE.match(value) and old in value:
                el.set(name, value.replace(old, new))
                count += 1
        if el.tag == "script":
            text = el.text or ""
            if "ld+json" in (el.get("type") or "") and (old in text or escaped_old in text):
                text = text.replace(old, new)
                if escaped_old != old:
                    text = text.replace(escaped_old, escaped_new)
                el.text = text
                count += 1
            continue
        if el.tag in _SKIP:
            continue
        if el.text and accept(el, el.text):
            el.text, found = _replaced(el.text, old, new)
            count += found
        parent = el.getparent()
        if el.tail and parent is not None and accept(parent, el.tail):
            el.tail, found = _replaced(el.tail, old, new)
            count += found
    return count


def _replaced(text: str, old: str, new: str) -> tuple[str, int]:
    """text with old replaced by new, also where the page types it with other quotes or dashes."""
    if old in text:
        return text.replace(old, new), 1
    if comparison_key(old) in comparison_key(text):  # ‘curly’ on the page, 'straight' in the title
        return comparison_key(text).replace(comparison_key(old), new), 1
    return text, 0


def headline(page: PreparedPage, title: str | None) -> Mutation | None:
    """The headline rewritten in the title, the heading, meta tags and JSON-LD."""
    if not title or len(title) < 10:
        return None
    # "Headline - Site": the site's name stays, the headline part is what the newsroom rewrites
    core = min(
        (title.rsplit(sep, 1)[0] for sep in (" - ", " | ", " – ", " — ") if sep in title),
        key=len,
        default=title,
    )
    if len(core) < 10:
        core = title
    c = PageCopy(page)
    new_core = core.rstrip(".") + HEADLINE_SUFFIX

    keys = {comparison_key(title), comparison_key(core)}

    def is_headline(el: lxml.html.HtmlElement, text: str) -> bool:
        heading = el.tag in _HEADING_TAGS or bool(_TITLE_HINT.search(_hints(el)))
        return heading and (el.tag == "title" or comparison_key(text) in keys)

    if not _replace_text(c, core, new_core, is_headline):
        return None
    return Mutation("headline", EDIT, c.html(), frozenset({TITLE}), title, title.replace(core, new_core))


def byline(
    page: PreparedPage, author: str | None, title: str | None = None, sitename: str | None = None
) -> Mutation | None:
    """The first author's name replaced in the byline, meta tags and JSON-LD."""
    if not author:
        return None
    name = re.split(r"\s*(?:;|,|\band\b|&|\|)\s*", author)[0].strip()
    c = PageCopy(page)
    if len(name) < 4 or name in (title or "") or name in (sitename or "") or name.startswith("The "):
        return None  # a byline that is the site's (or an institution's) name is no person to replace

    def is_byline(el: lxml.html.HtmlElement, text: str) -> bool:
        if name not in text or len(text) > _BYLINE:
            return False
        # a sentence naming the author ("Jane Doe is our deals editor", "Mike Wall's book", "Write
        # to Jane Doe at ...", "powered by Jane Doe") is text about her, not the byline
        start = text.index(name)
        after = text[start + len(name) :]
        if not after.strip() and text.strip() == text_of(el):
            after = el.tail or ""
        around = text_of(el)  # the line the name stands in (its parent's, for a bare <a>Name</a>)
        if text.strip() == around and el.getparent() is not None:
            around = text_of(el.getparent())
        return (
            bool(_BYLINE_BEFORE.match(text[:start]))
            and not _PROSE_AFTER.match(after)
            and "@" not in around
            and not around.lower().startswith("write to")
        )

    if not _replace_text(c, name, NEW_BYLINE, is_byline):
        return None
    return Mutation("byline", EDIT, c.html(), frozenset({AUTHOR}), author, NEW_BYLINE)


def _other_day(day: date, later: bool) -> date | None:
    step = timedelta(days=1 if later else -1)
    for candidate in (day + step, day - step):
        if candidate.month == day.month:
            return candidate
    return None


def published_date(page: PreparedPage, published: str | None) -> Mutation | None:
    """The publication date moved by a day (same month and year) wherever the page states it."""
    if not published:
        return None
    day = date.fromisoformat(published[:10])
    new = _other_day(day, later=False)
    c = PageCopy(page)
    if new is None or not shift_date(c, day, new.day, PUBLISHED):
        return None
    return Mutation("published_date", EDIT, c.html(), frozenset({PUBLISHED}), published, new.isoformat())


_FRENCH: list[str] = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
]
_STAMP_LINES: tuple[Callable[[datetime], str], ...] = (
    lambda d: f"Updated: {d:%B} {d.day}, {d.year} 10:15 AM ET",
    lambda d: f"Last updated: {d.day:02d}/{d.month:02d}/{d.year} 10:15",
    lambda d: f"Update: 10:15 - {d.day}/{d.month:02d}/{d.year}",
    lambda d: f"Modified {d.year}-{d.month:02d}-{d.day:02d} 10:15",
    lambda d: f"Edited time: {d.year}-{d.month:02d}-{d.day:02d} 10:15",
    lambda d: f"Aktualisiert am {d.day:02d}.{d.month:02d}.{d.year} um 10:15 Uhr",
    lambda d: f"Mis à jour le {d.day} {_FRENCH[d.month - 1]} {d.year} à 10h15",
    lambda d: f"Actualizado: {d.day:02d}/{d.month:02d}/{d.year} 10:15",
    lambda d: f"Güncelleme: {d.day:02d}.{d.month:02d}.{d.year} 10:15",
)


def update_stamp(page: PreparedPage, published: str | None, updated: str | None) -> Mutation | None:
    """The update stamp moved (a page with one) or added (a page without), the text untouched."""
    c = PageCopy(page)
    if not c.body:
        return None
    day = date.fromisoformat(updated[:10]) if updated else None
    new = _other_day(day, later=True) if day else None
    if day and new:
        visible = _visible_dates(c, day, new.day, UPDATED)
        moved = (
            visible + _attribute_dates(c, day, new.day, UPDATED) + _json_ld_dates(c, day, new.day, UPDATED)
        )
        # A page whose one date serves as both (published == updated), with no visible update
        # label to move, gets a stamp of its own below.
        if moved and (visible or not same_moment(updated, published)):
            return Mutation(
                "update_stamp",
                EDIT,
                c.html(),
                frozenset({UPDATED}),
                updated,
                new.isoformat(),
                note=STAMP_ONLY,
            )
        c = PageCopy(page)
    latest = max((d[:10] for d in (published, updated) if d), default="2019-11-19")
    when = datetime.fromisoformat(latest) + timedelta(days=1)
    while when.day < 13:  # unambiguous whichever order the page writes day and month in
        when += timedelta(days=1)
    text = _STAMP_LINES[page.variant % len(_STAMP_LINES)](when)
    # Where CMSs put it: right after the published date the page shows, else above the text.
    shown = _date_element(c, date.fromisoformat(published[:10])) if published else None
    if shown is not None:
        line = lxml.html.Element("span", {"class": "update-stamp"})
        line.text = f" {text} "
        shown.addnext(line)
    else:
        line = lxml.html.Element("p", {"class": "update-stamp"})
        line.text = text
        meta = next((el for el in c.tree.iter("div") if el.get("class") == "article-meta"), None)
        (meta if meta is not None else c.body[0]).addprevious(line)
    return Mutation("update_stamp", EDIT, c.html(), frozenset({UPDATED}), updated, text, note=STAMP_ONLY)


def _date_element(c: PageCopy, day: date) -> lxml.html.HtmlElement | None:
    """The element whose own text shows the date above the article's text, if any."""
    body = c.tree.find("body")
    if body is None or not c.body:
        return None
    order = {el: n for n, el in enumerate(c.tree.iter())}
    patterns = date_patterns(day)
    for group in _containers(c, body):
        for node, slot in group:
            holder = node if slot == "text" else node.getparent()
            if holder is None or order.get(holder, 0) >= order[c.body[0]]:
                continue
            if any(pattern.search(getattr(node, slot) or "") for pattern in patterns):
                return holder
    return None


METADATA_EDITS = ("headline", "byline", "published_date", "update_stamp")


def metadata_edits(page: PreparedPage, article: Article) -> list[tuple[str, Mutation | None]]:
    """The headline, byline, date and stamp edits of a page as (kind, mutation or None)."""
    title, published, updated = article.title, article.published, article.updated
    made = (
        headline(page, title),
        byline(page, article.author, title, article.sitename),
        published_date(page, published),
        update_stamp(page, published, updated),
    )
    return list(zip(METADATA_EDITS, made, strict=True))

"""Published and last-updated dates of an article page, read from the page itself.

Sources are tried strongest first, separately for each of the two dates:

1. visible labelled stamps in the page text ("Updated: 17:48 - 7/08/2018 Tuesday"),
2. ``<time datetime=...>`` elements with a published/updated hint,
3. meta tags and microdata (``article:modified_time``, ``itemprop=dateModified``, ...),
4. JSON-LD (``datePublished``/``dateModified``, also inside ``@graph`` and lists),
5. weak guesses: an unhinted ``<time>``, an unlabelled date line near the byline, and
   finally htmldate.

Visible stamps come first because sites bump the stamp they show readers but often
forget the meta tags. Reader-comment sections, scripts, styles, navigation and asides
are never read as page text.
"""

from __future__ import annotations

import copy
import json
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import htmldate
import lxml.html
from lxml import etree

__all__ = ["PageDates", "find_page_dates", "is_date_words", "is_stamp_line", "mask_dates"]


@dataclass(frozen=True)
class PageDates:
    """Published and last-updated dates of a page as ISO 8601 strings, None when unknown."""

    published: str | None
    updated: str | None


@dataclass(frozen=True)
class _Stamp:
    when: datetime  # naive or aware; midnight when has_time is False
    has_time: bool


# The day/month order of ambiguous numeric dates ("7/08/2018"), asked only when a date needs it.
_DayFirst = Callable[[], bool]


# --- vocabulary -------------------------------------------------------------------------

_MONTH_NAMES: dict[int, tuple[str, ...]] = {
    1: (
        "january",
        "jan",
        "janvier",
        "janv",
        "januar",
        "jänner",
        "jän",
        "enero",
        "ene",
        "gennaio",
        "gen",
        "januari",
        "janeiro",
        "ocak",
        "января",
        "январь",
        "янв",
    ),
    2: (
        "february",
        "feb",
        "février",
        "févr",
        "februar",
        "febrero",
        "febbraio",
        "februari",
        "fevereiro",
        "fev",
        "şubat",
        "февраля",
        "февраль",
        "фев",
    ),
    3: ("march", "mar", "mars", "märz", "mär", "marzo", "maart", "mrt", "março", "mart", "марта", "март"),
    4: ("april", "apr", "avril", "avr", "abril", "abr", "aprile", "nisan", "апреля", "апрель", "апр"),
    5: ("may", "mai", "mayo", "maggio", "mag", "mei", "maio", "mayıs", "мая", "май"),
    6: ("june", "jun", "juin", "juni", "junio", "giugno", "giu", "junho", "haziran", "июня", "июнь", "июн"),
    7: (
        "july",
        "jul",
        "juillet",
        "juil",
        "juli",
        "julio",
        "luglio",
        "lug",
        "julho",
        "temmuz",
        "июля",
        "июль",
        "июл",
    ),
    8: ("august", "aug", "août", "agosto", "ago", "augustus", "ağustos", "августа", "август", "авг"),
    9: (
        "september",
        "sept",
        "sep",
        "septembre",
        "septiembre",
        "setiembre",
        "settembre",
        "set",
        "setembro",
        "eylül",
        "сентября",
        "сентябрь",
        "сен",
    ),
    10: (
        "october",
        "oct",
        "octobre",
        "oktober",
        "okt",
        "octubre",
        "ottobre",
        "ott",
        "outubro",
        "out",
        "ekim",
        "октября",
        "октябрь",
        "окт",
    ),
    11: ("november", "nov", "novembre", "noviembre", "novembro", "kasım", "ноября", "ноябрь", "ноя"),
    12: (
        "december",
        "dec",
        "décembre",
        "déc",
        "dezember",
        "dez",
        "diciembre",
        "dic",
        "dicembre",
        "dezembro",
        "aralık",
        "декабря",
        "декабрь",
        "дек",
    ),
}

_WEEKDAY_NAMES: dict[int, tuple[str, ...]] = {
    0: (
        "monday",
        "mon",
        "pazartesi",
        "lundi",
        "montag",
        "lunes",
        "lunedì",
        "maandag",
        "segunda-feira",
        "segunda",
        "понедельник",
    ),
    1: (
        "tuesday",
        "tues",
        "tue",
        "salı",
        "mardi",
        "dienstag",
        "martes",
        "martedì",
        "dinsdag",
        "terça-feira",
        "terça",
        "вторник",
    ),
    2: (
        "wednesday",
        "wed",
        "çarşamba",
        "mercredi",
        "mittwoch",
        "miércoles",
        "mercoledì",
        "woensdag",
        "quarta-feira",
        "quarta",
        "среда",
    ),
    3: (
        "thursday",
        "thurs",
        "thur",
        "thu",
        "perşembe",
        "jeudi",
        "donnerstag",
        "jueves",
        "giovedì",
        "donderdag",
        "quinta-feira",
        "quinta",
        "четверг",
    ),
    4: (
        "friday",
        "fri",
        "cuma",
        "vendredi",
        "freitag",
        "viernes",
        "venerdì",
        "vrijdag",
        "sexta-feira",
        "sexta",
        "пятница",
    ),
    5: (
        "saturday",
        "sat",
        "cumartesi",
        "samedi",
        "samstag",
        "sonnabend",
        "sábado",
        "sabato",
        "zaterdag",
        "суббота",
    ),
    6: ("sunday", "sun", "pazar", "dimanche", "sonntag", "domingo", "domenica", "zondag", "воскресенье"),
}

_UPDATED_LABELS = (
    "last updated",
    "last update",
    "updated",
    "update",
    "last modified",
    "modified",
    "last edited",
    "edited",
    "revised",
    "son güncelleme",
    "güncelleme",
    "güncellenme",
    "güncellendi",
    "mis à jour",
    "mise à jour",
    "màj",
    "actualisé",
    "modifié",
    "zuletzt aktualisiert",
    "aktualisiert",
    "geändert",
    "stand",
    "última actualización",
    "actualizado",
    "actualizada",
    "actualización",
    "ultimo aggiornamento",
    "aggiornato",
    "aggiornata",
    "aggiornamento",
    "laatst bijgewerkt",
    "bijgewerkt",
    "gewijzigd",
    "última atualização",
    "atualizado",
    "atualizada",
    "atualização",
    "обновлено",
    "обновлена",
    "обновлен",
    "изменено",
)
_PUBLISHED_LABELS = (
    "first published",
    "published",
    "posted",
    "created",
    "yayınlanma",
    "yayınlandı",
    "yayın tarihi",
    "yayımlanma",
    "oluşturulma",
    "publié",
    "publiée",
    "mis en ligne",
    "créé",
    "veröffentlicht",
    "publiziert",
    "erstellt",
    "erschienen",
    "publicado",
    "publicada",
    "publicación",
    "pubblicato",
    "pubblicata",
    "pubblicazione",
    "gepubliceerd",
    "geplaatst",
    "опубликовано",
    "опубликована",
    "опубликован",
    "дата публикации",
)
# Words that sit between a label, a time and a date: "Updated on", "Mis à jour le ... à",
# "Aktualisiert am", "Actualizado el ... a las", "Aggiornato alle ... del", "в", "saat".
_CONNECTORS = (
    "on",
    "at",
    "le",
    "la",
    "el",
    "il",
    "am",
    "um",
    "op",
    "om",
    "em",
    "à",
    "a",
    "às",
    "as",
    "a las",
    "alle",
    "ore",
    "del",
    "de",
    "du",
    "den",
    "dem",
    "the",
    "в",
    "saat",
)

_FIXED_ZONES = {
    "UTC": 0,
    "GMT": 0,
    "WET": 0,
    "BST": 60,
    "WEST": 60,
    "CET": 60,
    "CEST": 120,
    "EET": 120,
    "EEST": 180,
    "MSK": 180,
    "TRT": 180,
    "HKT": 480,
    "SGT": 480,
    "JST": 540,
    "KST": 540,
    "AEST": 600,
    "AEDT": 660,
    "EST": -300,
    "EDT": -240,
    "CST": -360,
    "CDT": -300,
    "MST": -420,
    "MDT": -360,
    "PST": -480,
    "PDT": -420,
}
# "ET"/"CT"/"MT"/"PT" name no offset by themselves: standard time plus an hour during US DST.
_US_GENERIC_ZONES = {"ET": -300, "CT": -360, "MT": -420, "PT": -480}
_ZONE_NAMES = [*_FIXED_ZONES, *_US_GENERIC_ZONES]

_PUBLISHED_META = (
    "article:published_time",
    "og:article:published_time",
    "og:published_time",
    "article:published",
    "datepublished",
    "publish-date",
    "publish_date",
    "publishdate",
    "published_time",
    "pubdate",
    "article.published",
    "article_date_original",
    "original-publish-date",
    "parsely-pub-date",
    "sailthru.date",
    "dc.date.issued",
    "dcterms.issued",
    "dc.date.created",
    "dcterms.created",
    "datecreated",
    "citation_publication_date",
    "cxenseparse:recs:publishtime",
    "bt:pubdate",
    "dc.date",
    "dcterms.date",
    "date",
)
# last-modified comes last: servers often fill it with the time the page was generated.
_UPDATED_META = (
    "article:modified_time",
    "og:article:modified_time",
    "og:updated_time",
    "article:modified",
    "datemodified",
    "modified_time",
    "article.updated",
    "dc.date.modified",
    "dcterms.modified",
    "bt:moddate",
    "lastmod",
    "last-modified",
)

_SKIP_TAGS = frozenset(
    {
        "head",
        "title",
        "script",
        "style",
        "noscript",
        "template",
        "svg",
        "math",
        "iframe",
        "object",
        "select",
        "option",
        "textarea",
        "button",
        "nav",
        "aside",
    }
)
# A reader-comment section: an element with one of these words, in any case, in its class, id,
# itemprop or itemtype.
_COMMENT_WORDS = ("comment", "komment", "disqus", "yorum", "comentari", "reactie", "комментар")
_HINT_VALUES = {
    attr: etree.XPath(f"//@{attr}", smart_strings=False) for attr in ("class", "id", "itemprop", "itemtype")
}
# Containers of the whole page that themes sometimes tag "has-comments" and the like.
_NEVER_COMMENT_TAGS = frozenset({"html", "body", "main"})
_DATE_PROPS = frozenset({"datepublished", "datemodified"})
_UPDATED_HINTS = ("datemodified", "modified", "updated", "update", "edited", "lastmod")
_PUBLISHED_HINTS = ("datepublished", "published", "pubdate", "publish", "posted", "created", "entry-date")

_SMALL = 250  # longer text blocks are prose, where "updated on 7 May 2018" is no stamp
_TINY = 80  # an unlabelled date line is short
_MIN_YEAR = 1990
_IN_ARTICLE, _IN_CHROME, _IN_LINK = 1, 2, 4


def _fold(word: str) -> str:
    """Lower-case without diacritics, so "Août", "aout" and "AOÛT" share a key."""
    word = word.lower().replace("ı", "i")
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))


def _alternation(words: list[str]) -> str:
    # longest first, so "september" is tried before "sep" and "cumartesi" before "cuma"
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


def _initials(words: tuple[str, ...]) -> str:
    """A lookahead for the first two letters of the words a pattern starts with.

    It changes no match, but re no longer tries every word at every position of the text (slow
    with IGNORECASE): several times faster over a page's worth of text.
    """
    classes = ("".join(re.escape(c) for c in sorted({word[i] for word in words})) for i in (0, 1))
    return "(?=" + "".join(f"[{letters}]" for letters in classes) + ")"


def _table(names: dict[int, tuple[str, ...]]) -> tuple[dict[str, int], str]:
    by_key = {_fold(name): number for number, group in names.items() for name in group}
    spellings = [name for group in names.values() for name in group] + list(by_key)
    return by_key, _alternation(spellings)


_MONTH_BY_KEY, _MONTHS = _table(_MONTH_NAMES)
_WEEKDAY_BY_KEY, _WEEKDAYS = _table(_WEEKDAY_NAMES)

_NOT_LETTER_BEFORE = r"(?<![^\W\d_])"
_NOT_LETTER_AFTER = r"(?![^\W\d_])"
_WEEKDAY = rf"{_NOT_LETTER_BEFORE}(?P<wd>{_WEEKDAYS}){_NOT_LETTER_AFTER}\.?"
_SKIP = (
    rf"(?:[\s:,;|·•\-–—/()\[\]]|{_NOT_LETTER_BEFORE}"
    rf"(?:{_alternation(list(_CONNECTORS))}){_NOT_LETTER_AFTER})*"
)
_LABEL = (
    rf"{_NOT_LETTER_BEFORE}{_initials(_UPDATED_LABELS + _PUBLISHED_LABELS)}"
    rf"(?:(?P<upd>{_alternation(list(_UPDATED_LABELS))})"
    rf"|(?P<pub>{_alternation(list(_PUBLISHED_LABELS))}))"
    rf"(?:\s+(?:time|date|tarihi|saati|datum|zeit|fecha))?{_NOT_LETTER_AFTER}"
)

_SKIP_RE = re.compile(_SKIP, re.IGNORECASE)
_COMMENT_RE = re.compile(_initials(_COMMENT_WORDS) + f"(?:{'|'.join(_COMMENT_WORDS)})", re.IGNORECASE)
_LABEL_RE = re.compile(_LABEL, re.IGNORECASE)
_LABEL_AT_END_RE = re.compile(_LABEL + _SKIP + r"\Z", re.IGNORECASE)
_WEEKDAY_RE = re.compile(_WEEKDAY, re.IGNORECASE)
_WEEKDAY_AT_END_RE = re.compile(_WEEKDAY + r"[\s,]*\Z", re.IGNORECASE)
_PREV_WORD_RE = re.compile(r"([^\W\d_]+)\s+\Z")
_DIGIT_RE = re.compile(r"\d")
_DATE_RE = re.compile(
    # 2018-08-07, 2018/08/07, 2018-08-07T17:48 (the "T" is eaten so the time follows)
    r"(?P<iy>\d{4})([-/.])(?P<im>\d{1,2})\2(?P<id>\d{1,2})(?!\d)(?:T(?=\d))?"
    # 7/08/2018, 20.07.2018, 07-08-18: day-first or month-first is settled per page
    r"|(?P<na>\d{1,2})(?P<ns>[./-])(?P<nb>\d{1,2})(?P=ns)(?P<ny>\d{4}|\d{2})(?!\d|\.\d)"
    # 19 Jul, 2018 / 7. August 2018 / 7 de agosto de 2018 / 1er août 2018 / 7 августа 2018 г.
    rf"|(?P<td>\d{{1,2}})(?:st|nd|rd|th|er|º|\.)?[\s\-/]*(?:de\s+)?"
    rf"(?P<tm>{_MONTHS}){_NOT_LETTER_AFTER}\.?,?[\s\-/]*(?:de\s+)?(?P<ty>\d{{4}})(?!\d)"
    # July 19, 2018 / Jul 19 2018 / Sept. 5th, 2018
    rf"|(?P<um>{_MONTHS}){_NOT_LETTER_AFTER}\.?\s*(?P<ud>\d{{1,2}})(?:st|nd|rd|th)?"
    r"(?:,\s*|\s+)(?P<uy>\d{4})(?!\d)",
    re.IGNORECASE,
)
# Numeric dates anywhere in the text, as evidence for the page's day/month order.
_NUMERIC_RE = re.compile(r"(?=\d)(?<![\d./-])(\d{1,2})([./-])(\d{1,2})\2(\d{4})(?!\d)")
_TIME_RE = re.compile(
    # 17:48, 17:48:05, 17h48, 5:48 PM, 3:05 p.m.; with a dot only when a clock word or zone
    # follows (17.48 Uhr, 12.32 BST), as "20.07" is just as often a day and month
    r"(?:(?P<h>[01]?\d|2[0-3])(?:[:h](?P<m>[0-5]\d)(?::(?P<s>[0-5]\d)(?:[.,]\d{1,6})?)?"
    rf"|\.(?P<m2>[0-5]\d)(?=\s*(?:uhr|[ap]\.?\s?m|(?-i:{_alternation(_ZONE_NAMES)}))))(?!\d)"
    r"(?:\s*(?P<ap>[ap])\.?\s?m\.?(?![^\W\d_]))?"
    # 5 PM
    r"|(?P<h2>1[0-2]|0?[1-9])\s*(?P<ap2>[ap])\.?\s?m\.?(?![^\W\d_]))"
    r"(?:\s*(?:uhr|hs|h|ч)\.?(?![^\W\d_]))?",
    re.IGNORECASE,
)
# Case-sensitive, so the French "et" or a stray "pt" is not read as a time zone.
_ZONE_RE = re.compile(
    r"(?P<z>Z)(?![A-Za-z])"
    r"|\s?(?P<off>[+\-−]\d{2}:?\d{2})(?!\d)"
    rf"|\s*\(?(?P<abbr>{_alternation(_ZONE_NAMES)})"
    r"(?![A-Za-z])(?:\s?(?P<aoff>[+\-−]\d{1,2}(?::?\d{2})?))?\)?"
)
_ISO_RE = re.compile(
    r"\s*(?P<y>\d{4})-?(?P<mo>\d{2})-?(?P<d>\d{2})"
    r"(?:[T ](?P<h>\d{2}):?(?P<mi>\d{2})(?::?(?P<s>\d{2})(?:[.,]\d+)?)?"
    r"\s*(?P<tz>Z|[+\-]\d{2}(?::?\d{2})?)?)?\s*\Z"
)
_US_HINT_RE = re.compile(
    # the lookahead only spares re trying both branches at every position
    r"(?=[\dJFMASOND])(?:\d\s*(?:[AaPp]\.?\s?[Mm]\.?)?\s*\(?[ECMP][SD]?T(?![A-Za-z])"
    r"|(?:January|February|March|April|May|June|July|August|September|October|November"
    r"|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.?\s+\d{1,2},\s+\d{4})"
)
_JSON_WRAPPER_RE = re.compile(r"^\s*(?://\s*)?(?:<!--|<!\[CDATA\[)|(?://\s*)?(?:-->|\]\]>)\s*$")
_TRAILING_COMMA_RE = re.compile(r",\s*([}\]])")
_LD_FIELD_RE = re.compile(r'"(datePublished|dateModified)"\s*:\s*"([^"]{6,40})"')


# A stamp line is short: "Updated: 17:48 - 7/08/2018 Tuesday", "기사입력 :[ 2018-08-25 15:24 ]".
_STAMP_LINE_MAX = 100
_WORD_RE = re.compile(r"[^\W\d_]+")
# "... 11/19/2019 by Lars Brandle": a stamp with its byline is still a stamp line (the author
# field reports the name). Names are capitalized words, so "by the river" is not one.
_BYLINE_RE = re.compile(r"\b(?:[Bb]y|[Vv]on|[Pp]ar|[Pp]or)\s+(?:[A-Z][\w'.-]*\s*){1,4}")
_CONNECTOR_KEYS = frozenset(_fold(c) for connector in _CONNECTORS for c in connector.split())


def is_stamp_line(text: str) -> bool:
    """Whether a short line states nothing but a date: a label, the date, a time, a zone, a weekday.

    Such a line is the page's stamp, reported as the published or updated date; as body text it
    would turn every stamp change into a paragraph edit. A byline may ride along ("by Jane Doe"),
    and one unknown word is allowed, for labels in languages the vocabulary lacks ("기사입력").
    """
    if len(text) > _STAMP_LINE_MAX or not _DIGIT_RE.search(text):
        return False
    rest, dates = _DATE_RE.subn(" ", text)
    if not dates:
        return False
    for pattern in (_LABEL_RE, _TIME_RE, _ZONE_RE, _WEEKDAY_RE, _BYLINE_RE):
        rest = pattern.sub(" ", rest)
    words = [w for w in _WORD_RE.findall(rest) if _fold(w) not in _CONNECTOR_KEYS]
    return len(words) <= 1 and sum(len(w) for w in words) <= 12


def is_date_words(text: str) -> bool:
    """Whether a text is nothing but date vocabulary: stamp labels, month and weekday names."""
    words = _WORD_RE.findall(_LABEL_RE.sub(" ", text))
    return bool(_WORD_RE.search(text)) and all(
        _fold(w) in _MONTH_BY_KEY or _fold(w) in _WEEKDAY_BY_KEY or _fold(w) in _CONNECTOR_KEYS for w in words
    )


def mask_dates(text: str) -> str:
    """The text with every date and time of day replaced by a placeholder."""
    return _TIME_RE.sub("<time>", _DATE_RE.sub("<date>", text))


# --- parsing one date expression --------------------------------------------------------


def _skip(text: str, pos: int) -> int:
    match = _SKIP_RE.match(text, pos)
    return match.end() if match else pos


def _weekday_after(text: str, pos: int) -> tuple[int | None, int]:
    match = _WEEKDAY_RE.match(text, _skip(text, pos))
    if match is None:
        return None, pos
    return _WEEKDAY_BY_KEY.get(_fold(match["wd"])), match.end()


def _checked(year: int, month: int, day: int) -> date | None:
    if not _MIN_YEAR <= year <= date.today().year + 1:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _numeric_date(a: int, b: int, year: int, weekday: int | None, day_first: _DayFirst) -> date | None:
    day_month, month_day = _checked(year, b, a), _checked(year, a, b)
    if day_month is None or month_day is None or day_month == month_day:
        return day_month or month_day
    # a weekday printed next to the date settles it for this date, whatever the page does
    if weekday is not None and (day_month.weekday() == weekday) != (month_day.weekday() == weekday):
        return day_month if day_month.weekday() == weekday else month_day
    return day_month if day_first() else month_day


def _calendar_date(found: re.Match[str], weekday: int | None, day_first: _DayFirst) -> date | None:
    if found["iy"]:
        return _checked(int(found["iy"]), int(found["im"]), int(found["id"]))
    if found["na"]:
        year = int(found["ny"])
        if year < 100:
            year += 2000 if year <= date.today().year % 100 + 1 else 1900
        return _numeric_date(int(found["na"]), int(found["nb"]), year, weekday, day_first)
    # .get: case-insensitive matching can reach spellings the fold table does not key
    if found["td"]:
        month = _MONTH_BY_KEY.get(_fold(found["tm"]).rstrip("."))
        return _checked(int(found["ty"]), month, int(found["td"])) if month else None
    month = _MONTH_BY_KEY.get(_fold(found["um"]).rstrip("."))
    return _checked(int(found["uy"]), month, int(found["ud"])) if month else None


def _clock(found: re.Match[str]) -> tuple[int, int, int]:
    if found["h2"]:
        hour, minute, second, half = int(found["h2"]), 0, 0, found["ap2"]
    else:
        hour, second, half = int(found["h"]), int(found["s"] or 0), found["ap"]
        minute = int(found["m"] or found["m2"])
    if half and 1 <= hour <= 12:  # "17:05 PM" is a 24-hour time with a stray suffix
        hour = hour % 12 + (12 if half.lower() == "p" else 0)
    return hour, minute, second


def _offset(text: str) -> timezone | None:
    sign = -1 if text[0] in "-−" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = (int(digits), 0) if len(digits) <= 2 else (int(digits[:-2]), int(digits[-2:]))
    if hours > 14 or minutes >= 60:
        return None
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def _us_dst(day: date) -> bool:
    def sunday(month: int, nth: int) -> date:
        first = date(day.year, month, 1)
        return first + timedelta(days=(6 - first.weekday()) % 7 + 7 * (nth - 1))

    if day.year >= 2007:
        return sunday(3, 2) <= day < sunday(11, 1)
    last_october_sunday = sunday(10, 5) if sunday(10, 5).month == 10 else sunday(10, 4)
    return sunday(4, 1) <= day < last_october_sunday


def _zone(found: re.Match[str], day: date) -> timezone | None:
    if found["z"]:
        return UTC
    if found["off"]:
        return _offset(found["off"])
    abbr = found["abbr"]
    if abbr in ("GMT", "UTC") and found["aoff"]:
        return _offset(found["aoff"])
    if abbr in _US_GENERIC_ZONES:
        minutes = _US_GENERIC_ZONES[abbr] + (60 if _us_dst(day) else 0)
    else:
        minutes = _FIXED_ZONES[abbr]
    return timezone(timedelta(minutes=minutes))


def _parse_stamp(text: str, pos: int, day_first: _DayFirst) -> tuple[_Stamp, int] | None:
    """A date with optional time, zone and weekday starting at pos, and where it ends."""
    p = _skip(text, pos)
    clock = _TIME_RE.match(text, p)
    zone = None
    if clock:
        zone = _ZONE_RE.match(text, clock.end())
        p = _skip(text, (zone or clock).end())
    weekday, p = _weekday_after(text, p)
    found = _DATE_RE.match(text, _skip(text, p))
    if found is None:
        return None
    after, end = _weekday_after(text, found.end())
    if clock is None:
        clock = _TIME_RE.match(text, _skip(text, end))
        if clock:
            zone = _ZONE_RE.match(text, clock.end())
            end = (zone or clock).end()
            late, end = _weekday_after(text, end)
            after = after if after is not None else late
    day = _calendar_date(found, weekday if weekday is not None else after, day_first)
    if day is None:
        return None
    if clock is None:
        return _Stamp(datetime(day.year, day.month, day.day), False), end
    tzinfo = _zone(zone, day) if zone else None
    return _Stamp(datetime(day.year, day.month, day.day, *_clock(clock), tzinfo=tzinfo), True), end


def _parse_value(value: str, day_first: _DayFirst) -> _Stamp | None:
    """A machine-readable date from an attribute, meta tag or JSON-LD field."""
    iso = _ISO_RE.match(value)
    if iso is None:
        # RFC 2822 ("Tue, 07 Aug 2018 17:48:00 GMT") and other human forms
        parsed = _parse_stamp(value, 0, day_first)
        return parsed[0] if parsed else None
    day = _checked(int(iso["y"]), int(iso["mo"]), int(iso["d"]))
    if day is None:
        return None
    if iso["h"] is None:
        return _Stamp(datetime(day.year, day.month, day.day), False)
    tz = iso["tz"]
    tzinfo = (UTC if tz == "Z" else _offset(tz)) if tz else None
    try:
        when = datetime(
            day.year, day.month, day.day, int(iso["h"]), int(iso["mi"]), int(iso["s"] or 0), tzinfo=tzinfo
        )
    except ValueError:
        return None
    return _Stamp(when, True)


def _format(stamp: _Stamp | None) -> str | None:
    if stamp is None:
        return None
    when = stamp.when
    if not stamp.has_time:
        return when.date().isoformat()
    text = when.strftime("%Y-%m-%dT%H:%M")
    if when.second:
        text += f":{when.second:02d}"
    offset = when.utcoffset()
    if offset is not None:
        minutes = int(offset.total_seconds()) // 60
        text += f"{'-' if minutes < 0 else '+'}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
    return text


def _before(a: _Stamp, b: _Stamp) -> bool:
    """Whether a is strictly earlier than b, at the precision both of them have."""
    if not (a.has_time and b.has_time):
        return a.when.date() < b.when.date()
    if (a.when.tzinfo is None) != (b.when.tzinfo is None):
        return a.when.replace(tzinfo=None) < b.when.replace(tzinfo=None)
    return a.when < b.when


def _floor_minute(stamp: _Stamp) -> _Stamp:
    return _Stamp(stamp.when.replace(second=0, microsecond=0), stamp.has_time)


def _refines(other: _Stamp, best: _Stamp) -> bool:
    """Whether other is the same moment as best with more detail (time of day, UTC offset)."""
    if not other.has_time:
        return False
    if not best.has_time:
        return other.when.date() == best.when.date()
    return (
        best.when.tzinfo is None
        and other.when.tzinfo is not None
        and other.when.replace(tzinfo=None, second=0) == best.when.replace(second=0)
    )


def _most_precise(*candidates: _Stamp | None) -> _Stamp | None:
    present = [c for c in candidates if c is not None]
    if not present:
        return None
    best = present[0]
    # weaker sources often carry the time of day or the offset the stronger one left out:
    # "Published time: 19 Jul, 2018 21:51" next to article:published_time ...21:51:00+00:00
    for other in present[1:]:
        if _refines(other, best):
            best = other
    return best


# --- the page ---------------------------------------------------------------------------


def _comment_words(text: str) -> set[str]:
    """The comment words in text, spelled as there ("Comments" -> "Comment")."""
    if not text.isascii():
        return set(_COMMENT_RE.findall(text))
    # Same answer, faster: for ASCII text IGNORECASE is plain lower-casing (the other characters
    # re folds onto these letters, like the Kelvin sign or a dotless i, are not ASCII).
    lowered = text.lower()
    found = set()
    for word in _COMMENT_WORDS:
        start = lowered.find(word)
        while start >= 0:
            found.add(text[start : start + len(word)])
            start = lowered.find(word, start + 1)
    return found


def _comment_xpath(hints: dict[str, list[str]]) -> tuple[str, dict[str, str]] | None:
    """XPath (and its variables) selecting a document's comment sections; None when it has none.

    `hints` are the values of each hint attribute in the document. Checking element by element in
    Python cost more than the rest of the page; instead the values are searched at once, and XPath
    looks for the words found, spelled as found, in the attributes they were found in.
    """
    names: dict[str, str] = {}  # word -> XPath variable
    paths = []
    never = " or ".join(f"self::{tag}" for tag in sorted(_NEVER_COMMENT_TAGS))
    for attr, values in hints.items():
        # the words are letters only, so none spans two values
        words = sorted(_comment_words("\n".join(values)))
        if words:
            hinted = " or ".join(f"contains(., ${names.setdefault(w, f'w{len(names)}')})" for w in words)
            paths.append(f"//@{attr}[{hinted}]/parent::*[not({never})]")
    return (" | ".join(paths), {name: word for word, name in names.items()}) if paths else None


def _hints(el: Any) -> str:
    return " ".join(el.get(a, "") for a in ("itemprop", "class", "id")).lower()


def _norm(text: str) -> str:
    return " ".join(text.replace("\u200b", "").split())


def _document_root(html: str | bytes, tree: Any) -> Any:
    if tree is not None:
        return tree.getroottree().getroot()
    if not html or not html.strip():
        return None
    try:
        return lxml.html.document_fromstring(html)
    except (etree.LxmlError, ValueError):
        if not isinstance(html, str):
            return None
    # str with an XML encoding declaration or control characters: lxml takes those as bytes
    try:
        return lxml.html.document_fromstring(html.encode("utf-8", "replace"))
    except (etree.LxmlError, ValueError):
        return None


class _Page:
    """Everything the date sources need from one document, read once."""

    def __init__(self, root: Any, language: str | None) -> None:
        self.root = root
        # the elements read by tag, in one pass over the document
        bodies: list[Any] = []
        self.metas: list[Any] = []
        self.scripts: list[Any] = []
        self.time_tags: list[Any] = []
        found = {"body": bodies, "meta": self.metas, "script": self.scripts, "time": self.time_tags}
        for el in root.iter(*found):
            found[el.tag].append(el)
        self.body = bodies[0] if bodies else root
        # Comment sections found once for the whole document: checking every element (and, for
        # <time> and microdata, every ancestor) in Python was most of the cost of a page.
        hints = {attr: values(root) for attr, values in _HINT_VALUES.items()}
        self.itemprops = hints["itemprop"]
        self.comment_xpath = _comment_xpath(hints)
        self.comments: set[Any] = set()
        if self.comment_xpath:
            self.comments.update(root.xpath(self.comment_xpath[0], **self.comment_xpath[1]))
        self.pieces: dict[Any, list[str]] = {}  # the text pieces of each small element
        self.lengths = self._text_lengths()
        # whether the text below the body is read at all (the body's ancestors are not excluded)
        self.body_shown = not any(self._excluded(a) for a in self.body.iterancestors())
        self.units: list[tuple[str, bool]] = []  # (text, small enough to hold a stamp)
        self._walk()
        self.language = language
        self._day_first: bool | None = None  # read when first needed: few pages need it
        self.labelled: set[_Stamp] = set()
        self.visible_published, self.visible_updated = self._visible()
        self.time_published, self.time_updated, self.time_unhinted = self._times()
        self.meta_published, self.meta_updated = self._meta()
        self.ld_published, self.ld_updated = self._json_ld()
        self._pruned: Any = None

    def _excluded(self, el: Any) -> bool:
        # comments and processing instructions have a non-string tag (their tail still counts)
        return not isinstance(el.tag, str) or el.tag in _SKIP_TAGS or el in self.comments

    def _shown(self, el: Any) -> bool:
        """Whether neither el nor any of its ancestors is excluded from the page text."""
        n = self.lengths.get(el)
        if n is None:  # not reached by the walk: below an excluded element, or outside the body
            return not any(self._excluded(a) for a in (el, *el.iterancestors()))
        return n >= 0 and self.body_shown

    def _text_lengths(self) -> dict[Any, int]:
        """Visible text length of the body's elements, -1 for excluded ones (never entered).

        The same pass keeps the text pieces of each small element (self.pieces): its whole text
        is one unit, and gathering it again was a second walk of its subtree.
        """
        lengths: dict[Any, int] = {}
        shown: list[Any] = []  # in document order
        comments, pieces = self.comments, self.pieces
        stack = [self.body]
        while stack:
            el = stack.pop()
            tag = el.tag  # self._excluded, inlined: this runs for every element of the body
            if not isinstance(tag, str) or tag in _SKIP_TAGS or el in comments:
                lengths[el] = -1
            else:
                shown.append(el)
                stack += el[::-1]  # lxml builds a slice in C, far faster than iterating children
        for el in reversed(shown):  # children first
            # pieces are kept stripped: _joined puts spaces between them anyway
            text = (el.text or "").strip()
            n = len(text)
            own = [text] if text else []
            for child in el[:]:
                m = lengths[child]
                if m >= 0:
                    n += m
                    # a small element has only small children; a long one needs no pieces
                    own += pieces.get(child, ())
                tail = (child.tail or "").strip()
                if tail:
                    n += len(tail)
                    own.append(tail)
            lengths[el] = n
            if n <= _SMALL:
                pieces[el] = own
        return lengths

    def _joined(self, el: Any) -> str:
        """The visible text of a small element."""
        return _norm(" ".join(self.pieces[el]))

    def _walk(self) -> None:
        """Split the visible text into units: whole small elements, else single text nodes.

        Only elements too long to be one unit are entered: text length never shrinks going up,
        so everything below a small element is part of its unit.
        """
        lengths, units = self.lengths, self.units
        stack: list[Any] = [self.body] if lengths[self.body] >= 0 else []
        while stack:
            item = stack.pop()
            if isinstance(item, str):
                text = _norm(item)
                if text:
                    units.append((text, len(text) <= _SMALL))
            elif lengths[item] <= _SMALL:
                text = self._joined(item)
                if text:
                    units.append((text, True))
            else:
                if item.text:
                    text = _norm(item.text)
                    if text:
                        units.append((text, len(text) <= _SMALL))
                for child in item[::-1]:
                    if child.tail:
                        stack.append(child.tail)
                    if lengths[child] >= 0:
                        stack.append(child)

    def _date_line_candidates(self) -> list[Any]:
        """The short elements that may be an unlabelled date line: article area first, then the
        rest of the page, then headers, footers and links; in document order within each."""
        # Only needed when the page states no published date, so not read up front.
        lengths = self.lengths
        found: list[tuple[int, int, Any]] = []  # (rank, order, element)
        stack: list[tuple[Any, int]] = [(self.body, 0)]
        while stack:
            el, flags = stack.pop()
            n = lengths[el]
            if n < 0:
                continue
            flags = _scope(el, flags)
            if 0 < n <= _TINY:
                rank = 2 if flags & (_IN_CHROME | _IN_LINK) else 0 if flags & _IN_ARTICLE else 1
                found.append((rank, len(found), el))
            stack.extend((child, flags) for child in el[::-1])
        return [el for _, _, el in sorted(found, key=lambda t: (t[0], t[1]))]

    def day_first(self) -> bool:
        """Day/month order for ambiguous numeric dates: page evidence, else the language."""
        if self._day_first is None:
            self._day_first = self._read_day_first()
        return self._day_first

    def _read_day_first(self) -> bool:
        day_first_votes = month_first_votes = 0
        for text, _ in self.units:
            for m in _NUMERIC_RE.finditer(text):
                a, b, year = int(m[1]), int(m[3]), int(m[4])
                if a > 31 or b > 31:
                    continue
                if a > 12 >= b:
                    day_first_votes += 1
                elif b > 12 >= a:
                    month_first_votes += 1
                elif a != b:
                    day_month, month_day = _checked(year, b, a), _checked(year, a, b)
                    weekday = _weekday_near(text, m.start(), m.end())
                    if day_month is None or month_day is None or weekday is None:
                        continue
                    if day_month.weekday() == weekday != month_day.weekday():
                        day_first_votes += 1
                    elif month_day.weekday() == weekday != day_month.weekday():
                        month_first_votes += 1
        if day_first_votes != month_first_votes:
            return day_first_votes > month_first_votes
        metas = {
            (m.get("property") or m.get("name") or m.get("http-equiv") or "").lower(): m.get("content") or ""
            for m in self.metas
        }
        locale = metas.get("og:locale", "").lower().replace("_", "-")
        lang = self.language or self.root.get("lang") or metas.get("content-language") or locale
        lang = lang.strip().lower().replace("_", "-")
        if lang.startswith("en-us"):
            return False
        if lang in ("", "en"):
            us = locale.startswith("en-us") or any(
                _US_HINT_RE.search(text) for text, small in self.units if small
            )
            return not us
        return True

    def _visible(self) -> tuple[_Stamp | None, _Stamp | None]:
        published = updated = None
        for text, small in self.units:
            if not small or not _DIGIT_RE.search(text):
                continue
            for label in _LABEL_RE.finditer(text):
                if _is_prose(text, label.start()):
                    continue
                parsed = _parse_stamp(text, label.end(), self.day_first)
                if parsed is None:
                    continue
                stamp = parsed[0]
                self.labelled.add(stamp)
                if label["upd"] and updated is None:
                    updated = stamp
                elif label["pub"] and published is None:
                    published = stamp
        return published, updated

    def _times(self) -> tuple[_Stamp | None, _Stamp | None, _Stamp | None]:
        published = updated = unhinted = None
        for el in self.time_tags:
            value = el.get("datetime")
            # page text only: a <time> the walk did not reach is outside the body or excluded
            if not value or self.lengths.get(el, -1) < 0 or not self.body_shown:
                continue
            stamp = _parse_value(value, self.day_first)
            if stamp is None:
                continue
            parent = el.getparent()
            hints = _hints(el) + (" pubdate" if el.get("pubdate") is not None else "")
            if parent is not None:
                hints += " " + _hints(parent)
            is_updated = any(h in hints for h in _UPDATED_HINTS)
            is_published = any(h in hints for h in _PUBLISHED_HINTS)
            if not (is_updated or is_published):
                # "Updated <time datetime=...>2 hours ago</time>": the label is outside
                previous = el.getprevious()
                before = (
                    previous.tail if previous is not None else parent.text if parent is not None else None
                ) or ""
                label = _LABEL_AT_END_RE.search(before[-40:])
                is_updated, is_published = bool(label and label["upd"]), bool(label and label["pub"])
            if is_updated and updated is None:
                updated = stamp
            if is_published and published is None:
                published = stamp
            if not (is_updated or is_published) and unhinted is None:
                unhinted = stamp
        return published, updated, unhinted

    def _meta(self) -> tuple[_Stamp | None, _Stamp | None]:
        values: dict[str, str] = {}
        comments = self.comments
        for el in self.metas:
            content = (el.get("content") or el.get("datetime") or "").strip()
            if not content or (comments and any(a in comments for a in (el, *el.iterancestors()))):
                continue
            for attr in ("property", "name", "itemprop", "http-equiv"):
                values.setdefault((el.get(attr) or "").strip().lower(), content)
        # microdata on visible elements: <span itemprop="dateModified" content="...">, looked up
        # only when some itemprop names a date
        itemprops = " ".join(self.itemprops).lower()
        dated = any(prop in itemprops for prop in _DATE_PROPS)
        for el in self.root.xpath("//*[@itemprop][not(self::meta)]") if dated else ():
            props = _DATE_PROPS & set(el.get("itemprop").lower().split())
            if props and self._shown(el):
                content = el.get("content") or el.get("datetime") or _norm(el.text_content())
                for prop in props:
                    values.setdefault("microdata:" + prop, content)
        return (
            self._first_value(values, (*_PUBLISHED_META, "microdata:datepublished")),
            self._first_value(values, (*_UPDATED_META, "microdata:datemodified")),
        )

    def _first_value(self, values: dict[str, str], keys: tuple[str, ...]) -> _Stamp | None:
        for key in keys:
            if key in values:
                stamp = _parse_value(values[key], self.day_first)
                if stamp is not None:
                    return stamp
        return None

    def _json_ld(self) -> tuple[_Stamp | None, _Stamp | None]:
        articles: list[dict[str, Any]] = []
        others: list[dict[str, Any]] = []
        loose: dict[str, str] = {}
        for script in self.scripts:
            if (script.get("type") or "").strip().lower() != "application/ld+json":
                continue
            raw = script.text or ""
            data = _load_json(raw)
            if data is None:
                # unparseable JSON still usually spells the two fields plainly
                for name, value in _LD_FIELD_RE.findall(raw):
                    loose.setdefault(name, value)
                continue
            for obj, types in _json_objects(data):
                is_article = any(
                    t.endswith("Article")
                    or t in ("BlogPosting", "LiveBlogPosting", "Report", "SocialMediaPosting")
                    for t in types
                )
                (articles if is_article else others).append(obj)
        found: list[_Stamp | None] = []
        for field in ("datePublished", "dateModified"):
            stamp = None
            for obj in (*articles, *others, {field: loose.get(field)}):
                value = obj.get(field)
                if isinstance(value, list):
                    value = next((v for v in value if isinstance(v, str)), None)
                if isinstance(value, str):
                    stamp = _parse_value(value, self.day_first)
                    if stamp is not None:
                        break
            found.append(stamp)
        return found[0], found[1]

    def unlabelled_line(self) -> _Stamp | None:
        """The first short element holding nothing but a date, article area first."""
        for el in self._date_line_candidates():
            text = self._joined(el)
            if not _DIGIT_RE.search(text):
                continue
            parsed = _parse_stamp(text, 0, self.day_first)
            if parsed and _skip(text, parsed[1]) == len(text) and parsed[0] not in self.labelled:
                return parsed[0]
        return None

    def htmldate(self, original: bool) -> _Stamp | None:
        """htmldate's guess, on a copy of the page without reader comments."""
        try:
            if self._pruned is None:
                # htmldate reads comment sections, navigation and sidebars (newer teaser
                # dates) like article text, and JSON-LD fields whatever object holds them
                # (a Comment's dateModified included; JSON-LD was read above, type-aware).
                # Prune all that on a copy: the caller's tree stays untouched.
                self._pruned = copy.deepcopy(self.root)
                # XPath instead of a Python check of every element; a union is in document order
                drop, variables = "//nav | //aside | //script[contains(@type, 'ld+json')]", {}
                if self.comment_xpath:  # the copy has the same attribute values
                    drop, variables = f"{drop} | {self.comment_xpath[0]}", self.comment_xpath[1]
                for el in self._pruned.xpath(drop, **variables):
                    el.drop_tree()
            found = htmldate.find_date(
                self._pruned, original_date=original, extensive_search=True, outputformat="%Y-%m-%dT%H:%M:%S"
            )
        except Exception:  # a last-resort heuristic must not take the whole page down
            return None
        stamp = _parse_value(found, self.day_first) if found else None
        if stamp is None or stamp.when.time() != datetime.min.time():
            return stamp
        # htmldate pads date-only findings with T00:00:00, and a bare year (a copyright line,
        # any "2018" in the text) with 01-01T00:00:00: no date at all for our purpose
        if (stamp.when.month, stamp.when.day) == (1, 1):
            return None
        return _Stamp(stamp.when.replace(tzinfo=None), False)


def _scope(el: Any, flags: int) -> int:
    if el.tag in ("article", "main") or el.get("role") == "main" or el.get("itemprop") == "articleBody":
        return flags | _IN_ARTICLE
    if el.tag in ("header", "footer") and not flags & _IN_ARTICLE:
        return flags | _IN_CHROME
    if el.tag == "a":
        return flags | _IN_LINK
    return flags


def _is_prose(text: str, start: int) -> bool:
    """A lower-case label after a lower-case word ("was updated on") is running text."""
    if not text[start].islower():
        return False
    previous = _PREV_WORD_RE.search(text, max(0, start - 40), start)
    return bool(previous and previous[1].islower())


def _weekday_near(text: str, start: int, end: int) -> int | None:
    before = _WEEKDAY_AT_END_RE.search(text, max(0, start - 24), start)
    if before:
        return _WEEKDAY_BY_KEY.get(_fold(before["wd"]))
    return _weekday_after(text, end)[0]


def _load_json(raw: str) -> Any:
    # CMSs wrap JSON-LD in HTML comments or CDATA and leave trailing commas
    raw = _JSON_WRAPPER_RE.sub("", raw.strip())
    for candidate in (raw, _TRAILING_COMMA_RE.sub(r"\1", raw)):
        try:
            return json.loads(candidate, strict=False)
        except (ValueError, RecursionError):
            continue
    return None


def _json_objects(data: Any) -> Iterator[tuple[dict[str, Any], list[str]]]:
    """Every JSON object with its @type names, depth first, skipping comment objects."""
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        item, depth = stack.pop()
        if depth > 32:
            continue
        if isinstance(item, list):
            stack.extend((x, depth + 1) for x in reversed(item))
        elif isinstance(item, dict):
            kind = item.get("@type")
            types = (
                [kind]
                if isinstance(kind, str)
                else ([t for t in kind if isinstance(t, str)] if isinstance(kind, list) else [])
            )
            if any("comment" in t.lower() for t in types):
                continue
            yield item, types
            stack.extend((v, depth + 1) for v in reversed(list(item.values())) if isinstance(v, dict | list))


def find_page_dates(
    html: str | bytes, tree: lxml.html.HtmlElement | None = None, language: str | None = None
) -> PageDates:
    """Published and updated dates of an article page; tree: the page pre-parsed by lxml.html."""
    root = _document_root(html, tree)
    if root is None:
        return PageDates(None, None)
    page = _Page(root, language)
    published = _most_precise(
        page.visible_published, page.time_published, page.meta_published, page.ld_published
    )
    updated = _most_precise(page.visible_updated, page.time_updated, page.meta_updated, page.ld_updated)
    if published is None:
        # weak guesses: one that is not earlier than a known update date is most likely that
        # update stamp read again (htmldate does this), so it is passed over
        guesses: tuple[Callable[[], _Stamp | None], ...] = (
            lambda: page.time_unhinted,
            page.unlabelled_line,
            lambda: page.htmldate(True),
        )
        for guess in guesses:
            stamp = guess()
            if stamp is not None and (updated is None or _before(stamp, updated)):
                published = stamp
                break
    if updated is None and published is not None:
        later = page.htmldate(False)
        if later is not None and _before(published, later):
            updated = later
    if updated is not None and published is not None and _before(updated, published):
        # a stamp to the minute ("Updated 1:39 am") is not earlier than 01:39:53 it rounds down
        same_minute = updated.has_time and not _before(updated, _floor_minute(published))
        if not same_minute:
            updated = None
    return PageDates(_format(published), _format(updated))

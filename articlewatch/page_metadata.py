"""The page metadata an Article keeps, read by trafilatura's own metadata functions.

trafilatura's `extract_metadata` (what `bare_extraction(with_metadata=True)` runs) also reads
categories and a licence, which no Article keeps, and runs htmldate over the whole page for a
publication date, which extract.py needs only when stamps.py found none: about a fifth of the
metadata's cost, and a twelfth of a page's extraction. `read_metadata` makes the same calls in
the same order for the fields kept, with the same clean-up, so its values are the ones
`bare_extraction` returns (tests/test_page_metadata.py compares them on every test page), and
`publication_day` is htmldate's date, asked for only when it is used.

It follows trafilatura 2.3's `metadata.extract_metadata` (pinned <2.4 in pyproject.toml for
this and for the stored snapshots' sake): a new trafilatura is checked against that test.
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass
from html import unescape
from typing import Any

from htmldate import find_date
from lxml.html import HtmlElement
from trafilatura.metadata import (
    META_URL,
    examine_meta,
    extract_author,
    extract_catstags,
    extract_meta_json,
    extract_sitename,
    extract_title,
    extract_url,
)
from trafilatura.settings import set_date_params
from trafilatura.utils import line_processing

# trafilatura truncates every metadata string to this many characters (Document.clean_and_trim).
_MAX_FIELD_CHARS = 10000


@dataclass(frozen=True)
class PageMetadata:
    """The metadata fields an Article is built from, as trafilatura reads them."""

    title: str | None
    author: str | None
    description: str | None
    url: str | None
    sitename: str | None
    tags: tuple[str, ...]
    url_as_found: str | None  # before the clean-up: what trafilatura hands htmldate


def read_metadata(tree: HtmlElement, url: str | None) -> PageMetadata:
    """Title, author, description, canonical URL, site name and tags of a parsed page (not changed)."""
    metadata = examine_meta(tree)
    if metadata.author and " " not in metadata.author:
        metadata.author = None
    with suppress(Exception):  # trafilatura guards its JSON-LD reader the same way
        metadata = extract_meta_json(tree, metadata)
    if not metadata.title:
        metadata.title = extract_title(tree)
    if not metadata.author:
        metadata.author = extract_author(tree)
    if not metadata.url:
        metadata.url = extract_url(tree, url)
    if not metadata.sitename:
        metadata.sitename = extract_sitename(tree)
    if metadata.sitename:
        metadata.sitename = metadata.sitename.lstrip("@")
        if metadata.sitename and "." not in metadata.sitename and not metadata.sitename[0].isupper():
            metadata.sitename = metadata.sitename.title()
    elif metadata.url:
        match = META_URL.match(metadata.url)
        if match:
            metadata.sitename = match[1]
    if not metadata.tags:
        metadata.tags = extract_catstags("tag", tree)
    return PageMetadata(
        title=_trimmed(metadata.title),
        author=_trimmed(metadata.author),
        description=_trimmed(metadata.description),
        url=_trimmed(metadata.url),
        sitename=_trimmed(metadata.sitename),
        tags=tuple(metadata.tags or ()),
        url_as_found=metadata.url,
    )


def publication_day(tree: HtmlElement, metadata: PageMetadata) -> str | None:
    """htmldate's publication date of a page, with the parameters trafilatura gives it."""
    # trafilatura's default configuration asks for the extensive search (EXTENSIVE_DATE_SEARCH).
    parameters: dict[str, Any] = set_date_params(True)
    parameters["url"] = metadata.url_as_found
    return _trimmed(find_date(tree, **parameters))


def _trimmed(value: Any) -> Any:
    # Document.clean_and_trim, field by field.
    if not isinstance(value, str):
        return value
    if len(value) > _MAX_FIELD_CHARS:
        value = value[: _MAX_FIELD_CHARS - 1] + "…"
    return line_processing(unescape(value))

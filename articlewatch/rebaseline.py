"""Compare like with like: a stored version that another extractor wrote is extracted again.

A snapshot records the extractor that produced its article (name, version, options). When that
is not the extractor running now (trafilatura upgraded, options changed), the stored text and
today's differ in ways no site made: compared as they are, every article whose page bytes moved
would alert once. The stored raw HTML is extracted again with today's extractor instead, and
that is what the new version is compared with. The snapshot file itself is never rewritten.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from email.message import Message
from typing import Any

from .decoding import decode_html
from .errors import ArticlewatchError
from .extract import EXTRACTOR_INFO, extract_article
from .models import Snapshot
from .store import SnapshotStore

# What makes two extractions comparable; the articlewatch version beside them is not part of it.
_EXTRACTOR_FIELDS = ("name", "version", "options")


def same_extractor(recorded: Mapping[str, Any]) -> bool:
    """Whether a snapshot's recorded extractor is the one running now."""
    return all(recorded.get(field) == EXTRACTOR_INFO[field] for field in _EXTRACTOR_FIELDS)


def comparable(store: SnapshotStore, snapshot: Snapshot) -> Snapshot:
    """The snapshot with its article as today's extractor reads its raw HTML (itself when the same
    extractor wrote it, or when its raw HTML cannot be read or extracted: the stored text is then
    the best there is)."""
    if same_extractor(snapshot.extractor):
        return snapshot
    try:
        raw = store.raw_html(snapshot)
        url = snapshot.http.final_url
        article = extract_article(decode_html(raw, _charset(snapshot.http.content_type), url), url)
    except ArticlewatchError:
        return snapshot
    return replace(snapshot, article=article, extractor=EXTRACTOR_INFO)


def _charset(content_type: str) -> str | None:
    header = Message()
    header["content-type"] = content_type or "text/html"
    charset = header.get_param("charset")
    return charset if isinstance(charset, str) else None

"""A version written by another extractor is compared as today's extractor reads its raw HTML."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from article_pages import article_page

from articlewatch.demo.newsroom import Newsroom
from articlewatch.extract import EXTRACTOR_INFO
from articlewatch.fetch import make_client
from articlewatch.pipeline import check_url
from articlewatch.rebaseline import same_extractor
from articlewatch.store import SnapshotStore

# What an older extractor made of the page: one more line, which today's leaves out.
OLD_EXTRA = "A line the older extractor took for article text."


def _rewrite_first_version(store: SnapshotStore, url: str, extractor: dict[str, object]) -> None:
    path = Path(store.root) / store.versions(url)[0].path
    document = json.loads(path.read_text(encoding="utf-8"))
    document["extractor"] = {**extractor, "articlewatch": document["extractor"]["articlewatch"]}
    document["article"]["paragraphs"].append(OLD_EXTRA)
    path.write_text(json.dumps(document), encoding="utf-8")


@pytest.mark.parametrize(
    ("recorded", "expected"),
    [
        # Another extractor wrote version 1: its text is re-read from the raw HTML, no false alert.
        ({**EXTRACTOR_INFO, "options": {**EXTRACTOR_INFO["options"], "fast": "other"}}, "unchanged"),
        ({**EXTRACTOR_INFO, "version": "0.0.1"}, "unchanged"),
        # The same extractor wrote it: the stored text is the comparison, and it lost a line.
        (EXTRACTOR_INFO, "changed"),
    ],
)
def test_a_version_from_another_extractor_is_read_again(
    newsroom: Newsroom, store: SnapshotStore, recorded: dict[str, object], expected: str
) -> None:
    with make_client() as client:
        url = newsroom.put("/politics/vote", article_page())
        assert check_url(url, store, client).outcome == "new"
        _rewrite_first_version(store, url, recorded)
        # New bytes (an ad slot's markup), the same article.
        newsroom.put("/politics/vote", article_page().replace("</body>", "<div class=ad></div></body>"))
        result = check_url(url, store, client)
    assert result.outcome == expected
    if expected == "changed":
        assert [c.kind for c in result.changes] == ["paragraph_removed"]


def test_same_extractor_ignores_the_articlewatch_version() -> None:
    assert same_extractor({**EXTRACTOR_INFO, "articlewatch": "0.1.0"})
    assert not same_extractor({**EXTRACTOR_INFO, "name": "readability"})
    assert not same_extractor({})

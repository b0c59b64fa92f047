"""What a check and a stored change report: reverts, stamp-only bumps, silent edits, notes."""

from __future__ import annotations

from article_pages import BODY, article_page

from articlewatch.changes import change_between
from articlewatch.demo.newsroom import Newsroom
from articlewatch.fetch import make_client
from articlewatch.models import CheckResult
from articlewatch.pipeline import check_url
from articlewatch.render import summarize
from articlewatch.render.json import change_document
from articlewatch.render.markdown import render_markdown
from articlewatch.render.text import render_text
from articlewatch.store import SnapshotStore

RECORD_KEYS = {"url", "outcome", "version", "significant", "changes", "snapshot", "error"}
EDITED = (*BODY[:2], BODY[2].replace("12 million", "14 million"), *BODY[3:])
STAMP = "Updated: 20 November 2019 10:15"


def run(newsroom: Newsroom, store: SnapshotStore, pages: list[str]) -> tuple[str, list[CheckResult]]:
    """Serve each page in turn at one URL and check it after each."""
    results = []
    with make_client() as client:
        for html in pages:
            url = newsroom.put("/2019/11/19/park", html)
            results.append(check_url(url, store, client))
    return url, results


def test_flipping_back_to_an_earlier_version_is_a_revert_not_news(
    newsroom: Newsroom, store: SnapshotStore
) -> None:
    url, (first, edit, back) = run(newsroom, store, [article_page(), article_page(EDITED), article_page()])
    assert (first.outcome, edit.outcome, edit.significant) == ("new", "changed", True)
    assert (back.outcome, back.version, back.significant) == ("changed", 3, False)
    record = back.to_record()
    assert set(record) == RECORD_KEYS
    assert record["changes"] == [{"kind": "revert", "before": "version 2", "after": "version 1"}]
    change = change_between(store, url)
    assert change.reverts_to == 1 and not change.significant
    assert [item.kind for item in change.items] == ["paragraph_edited"]  # what flipped back
    document = change_document(change)
    assert document["reverts_to"] == 1 and document["significant"] is False
    assert not any(c["significant"] for c in document["changes"])
    assert summarize(change).startswith("reverted to version 1")


def test_a_stamp_only_bump_is_reported_as_such(newsroom: Newsroom, store: SnapshotStore) -> None:
    url, (_, bump) = run(newsroom, store, [article_page(), article_page(stamp=STAMP)])
    assert [(c.kind, c.after) for c in bump.changes] == [("updated", "2019-11-20T10:15")]
    assert bump.significant
    change = change_between(store, url)
    assert change.stamp_only and not change.silent_edit
    document = change_document(change)
    assert (document["stamp_only"], document["silent_edit"]) == (True, False)
    assert "stamp-only update" in summarize(change)


def test_an_edit_without_a_stamp_move_is_a_silent_edit(newsroom: Newsroom, store: SnapshotStore) -> None:
    url, (_, edit) = run(newsroom, store, [article_page(), article_page(EDITED)])
    [item] = edit.changes
    assert (item.kind, item.notes) == ("paragraph_edited", ("number",))
    change = change_between(store, url)
    assert change.silent_edit and not change.stamp_only
    document = change_document(change)
    assert (document["stamp_only"], document["silent_edit"]) == (False, True)
    assert document["changes"][0]["notes"] == ["number"]
    assert "silent edit" in summarize(change) and "a number changed" in summarize(change)
    assert "paragraph 3 edited (a number changed)" in render_text(change)
    assert "paragraph 3 edited \\(a number changed\\)" in render_markdown(change)


def test_an_edit_that_moves_the_stamp_is_neither(newsroom: Newsroom, store: SnapshotStore) -> None:
    url, _ = run(newsroom, store, [article_page(), article_page(EDITED, stamp=STAMP)])
    change = change_between(store, url)
    assert {item.kind for item in change.items} == {"updated", "paragraph_edited"}
    assert not change.stamp_only and not change.silent_edit
    assert "silent" not in summarize(change) and "stamp-only" not in summarize(change)

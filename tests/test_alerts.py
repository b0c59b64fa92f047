"""Alert content: which versions alert, stable ids, short diffs, messages and digests."""

from __future__ import annotations

import re

import pytest

from articlewatch.alerts import (
    SHORT_DIFF_CHARS,
    Alert,
    AlertPolicy,
    alert_id,
    alert_message,
    compact_word_diff,
    digest_message,
    short_diff,
    version_alert,
    wants_alert,
)
from articlewatch.errors import StoreError
from articlewatch.models import Article, ChangeItem, HttpInfo, Snapshot

URL = "https://news.example.com/world/putin-offer"
TITLE_EDIT = ChangeItem(
    "title",
    "Trump rejects Putin's offer to let US question 12 Russians",
    "Trump backs down on Putin's 'incredible offer' to question Americans",
    field="title",
)
ADDED = ChangeItem("paragraph_added", None, "The Senate later voted 98-0 on the resolution.", position=8)
DESCRIPTION = ChangeItem("metadata", "description: old", "description: new", field="description")


def snapshot(version: int, title: str = "Trump backs down") -> Snapshot:
    return Snapshot(
        url=URL,
        key="k" * 16,
        host="news.example.com",
        version=version,
        fetched_at="2026-11-22T08:15:30.123456Z",
        article=Article(title=title, sitename="The Evening Courier", paragraphs=("One two.", "Three.")),
        fingerprint="f" * 64,
        raw_sha256="1" * 64,
        raw_bytes=10,
        http=HttpInfo(200, URL, "text/html"),
    )


def test_alert_ids_are_stable_per_version_and_differ_between_versions() -> None:
    first = alert_id("key", 2, "f" * 64)
    assert re.fullmatch(r"aw-[0-9a-f]{16}", first)
    assert first == alert_id("key", 2, "f" * 64)
    assert first != alert_id("key", 3, "f" * 64) != alert_id("other", 2, "f" * 64)


@pytest.mark.parametrize(
    ("outcome", "changes", "policy", "expected"),
    [
        ("changed", (TITLE_EDIT,), AlertPolicy(), True),
        ("changed", (DESCRIPTION,), AlertPolicy(), False),  # metadata only: not significant
        ("new", (), AlertPolicy(), False),  # a first sighting alerts only on request
        ("new", (), AlertPolicy(notify_new=True), True),
        ("unchanged", (), AlertPolicy(notify_new=True), False),
    ],
)
def test_which_versions_alert(
    outcome: str, changes: tuple[ChangeItem, ...], policy: AlertPolicy, expected: bool
) -> None:
    assert wants_alert(outcome, changes, policy) is expected


def test_change_alert_has_headline_site_kinds_short_diff_and_when() -> None:
    alert = version_alert(snapshot(2), (TITLE_EDIT, ADDED), previous_version=1)
    assert alert.event == "changed" and alert.alert_id == alert_id("k" * 16, 2, "f" * 64)
    assert alert.headline == "Trump backs down" and alert.site == "The Evening Courier"
    assert alert.kinds == ("title", "paragraph_added")
    assert alert.diff[0] == (
        "headline: Trump [-rejects-] {+backs down on+} Putin's [-offer-] {+'incredible offer'+} to "
        "[-let US-] question [-12 Russians-] {+Americans+}"
    )
    assert alert.diff[1] == "paragraph 9 added: + The Senate later voted 98-0 on the resolution."
    message = alert_message(alert)
    assert message.title == "Changed: Trump backs down — The Evening Courier"
    for part in ("kinds: title, paragraph_added", "when: 2026-11-22 08:15 UTC (version 1 -> 2)", URL):
        assert part in message.body
    assert message.body.endswith(f"alert id: {alert.alert_id}")
    assert "interrupted" not in message.body


def test_new_article_alert_describes_the_first_version() -> None:
    alert = version_alert(snapshot(1), (), previous_version=None)
    assert alert.event == "new" and alert.previous_version is None and alert.kinds == ()
    assert alert.summary == "first seen: 2 paragraphs, 3 words"
    assert alert_message(alert).title.startswith("New article: Trump backs down")


def test_short_diff_is_short() -> None:
    long_paragraph = "word " * 200
    items = [ChangeItem("paragraph_added", None, long_paragraph, position=i) for i in range(8)]
    lines = short_diff(items)
    assert len(lines) == 6 and lines[-1] == "… and 3 more changes"
    assert all(len(line) <= SHORT_DIFF_CHARS for line in lines) and lines[0].endswith("…")


def test_compact_word_diff_keeps_context_around_the_edit() -> None:
    before = " ".join(f"w{i}" for i in range(40))
    after = before.replace("w20", "twenty")
    assert (
        compact_word_diff(before, after)
        == "… w14 w15 w16 w17 w18 w19 [-w20-] {+twenty+} w21 w22 w23 w24 w25 w26 …"
    )
    assert compact_word_diff("a b c", "a x c") == "a [-b-] {+x+} c"


def test_a_resent_alert_says_it_may_repeat_an_earlier_one() -> None:
    alert = version_alert(snapshot(2), (TITLE_EDIT,), previous_version=1)
    body = alert_message(alert, maybe_sent=True).body
    assert "interrupted delivery" in body and alert.alert_id in body


def test_digest_carries_every_alert_in_one_message() -> None:
    alerts = [
        version_alert(snapshot(2, "First"), (TITLE_EDIT,), previous_version=1),
        version_alert(snapshot(3, "Second"), (ADDED,), previous_version=2),
        version_alert(snapshot(1, "Third"), (), previous_version=None),
    ]
    message = digest_message(alerts)
    assert message.title == "articlewatch: 3 article alerts (2 changed, 1 new)"
    for alert in alerts:
        assert f"alert id: {alert.alert_id}" in message.body
    assert message.body.index("First") < message.body.index("Second") < message.body.index("Third")


def test_alert_documents_round_trip_through_the_schema() -> None:
    alert = version_alert(snapshot(2), (TITLE_EDIT, ADDED, DESCRIPTION), previous_version=1)
    document = alert.to_document()
    assert Alert.from_document(document, "test") == alert
    with pytest.raises(StoreError, match="alert schema"):
        Alert.from_document({**document, "alert_id": "not-an-id"}, "test")
    with pytest.raises(StoreError, match="alert schema"):
        Alert.from_document({**document, "extra": 1}, "test")

"""The daily_digest flow: the day's HTML report lands in the store; pending alerts go out as one digest."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from markupsafe import escape

from articlewatch.demo.articles import DemoArticle, later_versions
from articlewatch.demo.inbox import AlertInbox
from articlewatch.demo.newsroom import Newsroom

pytestmark = pytest.mark.usefixtures("prefect_server")


def test_daily_digest_writes_the_report_and_sends_what_the_outbox_owes_as_one_digest(
    newsroom: Newsroom, seeds: dict[str, DemoArticle], store_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flows.check import check_articles
    from flows.digest import daily_digest

    first = {slug: seeds[slug] for slug in ("cnbc", "ukpaper")}
    urls = newsroom.publish(first)
    with AlertInbox() as inbox:
        monkeypatch.setenv("ARTICLEWATCH_NOTIFY", inbox.apprise_url)
        check_articles(urls=list(urls.values()), store=str(store_dir))
        newsroom.publish(later_versions(first))
        inbox.fail_with = 503  # the channel is down when the changes are found: the alerts wait
        records = check_articles(urls=list(urls.values()), store=str(store_dir))
        assert sorted(r["outcome"] for r in records) == ["changed", "changed"]
        assert inbox.received == []
        inbox.fail_with = None

        summary = daily_digest(store=str(store_dir))

        assert len(inbox.received) == 1  # one message for both changes
        assert len(inbox.alert_ids()) == 2
    day = datetime.now(UTC).strftime("%Y-%m-%d")
    report = store_dir / "reports" / f"daily-{day}.html"
    assert summary == {"report": str(report), "articles": 2, "changes": 2, "problems": []}
    page = report.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and escape(later_versions(first)["ukpaper"].title) in page
    assert not list(report.parent.glob("*.tmp"))

    # Nothing owed any more, nothing sent again; the report is rewritten, not duplicated.
    with AlertInbox(port=inbox.port) as again:
        monkeypatch.setenv("ARTICLEWATCH_NOTIFY", again.apprise_url)
        daily_digest(store=str(store_dir))
        assert again.received == []
    assert [p.name for p in report.parent.iterdir()] == [report.name]


def test_digest_only_channels_get_one_message_a_day_and_no_per_change_alerts(
    newsroom: Newsroom, seeds: dict[str, DemoArticle], store_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flows.check import check_articles
    from flows.digest import daily_digest

    first = {slug: seeds[slug] for slug in ("cnbc", "ukpaper", "rt")}
    urls = newsroom.publish(first)
    with AlertInbox() as immediate, AlertInbox() as daily:
        monkeypatch.setenv("ARTICLEWATCH_NOTIFY", immediate.apprise_url)
        monkeypatch.setenv("ARTICLEWATCH_DIGEST_NOTIFY", daily.apprise_url)
        check_articles(urls=list(urls.values()), store=str(store_dir))
        newsroom.publish(later_versions(first))
        check_articles(urls=list(urls.values()), store=str(store_dir))
        assert len(immediate.received) == 2 and daily.received == []
        daily_digest(store=str(store_dir))
        assert len(daily.received) == 1 and len(daily.alert_ids()) == 2
        assert len(immediate.received) == 2, "the digest resent per-change alerts"
        daily_digest(store=str(store_dir))
        assert len(daily.received) == 1, "a day's digest was sent twice"

"""kill -9 around alert delivery: a real `articlewatch check --notify` process, a real webhook.

The version and its alert are stored in one transaction, so a kill before delivery loses nothing;
a kill after the channel took an alert and before the outbox marked it is the at-least-once case.
"""

from __future__ import annotations

import signal
import subprocess
from dataclasses import replace
from pathlib import Path

from cli_process import cli_command, cli_environment

from articlewatch.demo.articles import DemoArticle
from articlewatch.demo.inbox import AlertInbox
from articlewatch.demo.newsroom import Newsroom
from articlewatch.notify import deliver, make_channel
from articlewatch.outbox import Outbox
from articlewatch.store import SnapshotStore


def check(store_dir: Path, url: str, notify: str, failpoint: str | None) -> subprocess.CompletedProcess[str]:
    """`articlewatch check URL --notify NOTIFY` in its own process, killed at `failpoint` if given."""
    command = cli_command(store_dir, "check", url, "--notify", notify)
    return subprocess.run(
        command, capture_output=True, text=True, env=cli_environment(failpoint), timeout=180, check=False
    )


def edited(article: DemoArticle, title: str) -> dict[str, DemoArticle]:
    return {article.slug: replace(article, title=title)}


def test_a_kill_before_delivery_loses_no_alert(
    prefect_server: None, newsroom: Newsroom, seeds: dict[str, DemoArticle], store_dir: Path
) -> None:
    article = seeds["ukpaper"]
    with AlertInbox() as inbox:
        url = newsroom.publish({article.slug: article})[article.slug]
        assert check(store_dir, url, inbox.apprise_url, None).returncode == 0
        newsroom.publish(edited(article, "Trump says no to Putin's offer"))
        killed = check(store_dir, url, inbox.apprise_url, "alert.deliver")
        assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
        assert inbox.received == []

        again = check(store_dir, url, inbox.apprise_url, None)  # nothing new on the page
        assert again.returncode == 0, again.stderr[-2000:]
        assert len(inbox.received) == 1 and "Trump says no" in inbox.received[0]["title"]


def test_a_kill_between_send_and_mark_resends_once_after_the_lease_under_the_same_id(
    prefect_server: None, newsroom: Newsroom, seeds: dict[str, DemoArticle], store_dir: Path
) -> None:
    article = seeds["ukpaper"]
    with AlertInbox() as inbox:
        url = newsroom.publish({article.slug: article})[article.slug]
        assert check(store_dir, url, inbox.apprise_url, None).returncode == 0
        newsroom.publish(edited(article, "Trump says no to Putin's offer"))
        killed = check(store_dir, url, inbox.apprise_url, "alert.sent")
        assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
        [first] = inbox.received

        # A run soon after leaves the claim alone: the sender might still be alive.
        assert check(store_dir, url, inbox.apprise_url, None).returncode == 0
        assert len(inbox.received) == 1
        channel = make_channel(inbox.apprise_url, "test")
        with SnapshotStore(store_dir) as store:
            assert Outbox(store).state(channel.id).pending == 1
            # Once the lease is over, a run sends it again (at-least-once), under the same id.
            [delivery] = deliver(store, [channel], clock=lambda: "2999-01-01T00:00:00.000000Z")
            assert delivery.delivered == (first["alert_id"],) and delivery.pending == 0
        assert inbox.alert_ids() == [first["alert_id"], first["alert_id"]]
        assert "interrupted delivery" in inbox.received[1]["message"]
        assert check(store_dir, url, inbox.apprise_url, None).returncode == 0
        assert len(inbox.received) == 2, "a delivered alert was sent again"

"""Channels and delivery against a real webhook receiver on 127.0.0.1 (Apprise json://)."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import count
from pathlib import Path

import pytest

from articlewatch.alerts import Alert, alert_message
from articlewatch.config import load_settings
from articlewatch.demo.inbox import AlertInbox
from articlewatch.errors import ConfigError, NotifyError
from articlewatch.notify import deliver, make_channel, redact, run_channels, send
from articlewatch.outbox import Outbox
from articlewatch.store import SnapshotStore

PASSWORD = "hunter2-Pa55word"
_clock = count()


def tick() -> str:
    """A clock that moves one second per call, so every claim and mark has its own time."""
    seconds = next(_clock)
    return f"2026-11-22T{8 + seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}.000000Z"


@pytest.fixture()
def inbox() -> Iterator[AlertInbox]:
    with AlertInbox() as running:
        yield running


def secret_url(inbox: AlertInbox) -> str:
    return inbox.apprise_url.replace("json://", f"json://editor:{PASSWORD}@")


def owe(store: SnapshotStore, how_many: int, *channel_ids: str) -> list[Alert]:
    """Put alerts for versions 2.. of one article in the outbox, as the store stage does."""
    alerts = [
        Alert(
            alert_id=f"aw-{n:016x}",
            event="changed",
            url="https://news.example.com/a",
            site="Example News",
            headline=f"Headline {n}",
            version=n + 1,
            previous_version=n,
            kinds=("title",),
            summary=f"headline changed ({n})",
            diff=(f"headline: [-old-] {{+new {n}+}}",),
            when="2026-11-22T07:00:00.000000Z",
        )
        for n in range(1, how_many + 1)
    ]
    Outbox(store)
    with store.transaction() as db:
        for alert in alerts:
            Outbox.enqueue(db, alert, channel_ids, alert.when)
    return alerts


def test_a_bad_notify_url_is_a_config_error_that_does_not_echo_it() -> None:
    with pytest.raises(ConfigError) as caught:
        make_channel("nosuchscheme://tok3n-very-secret/x", "--notify 1")
    assert "--notify 1" in str(caught.value) and "tok3n" not in str(caught.value)


@pytest.mark.parametrize(
    ("url", "secrets"),
    [
        (
            "json://editor:hunter2-Pa55word@alerts.example.org/hooks/T0KEN123",
            ["hunter2-Pa55word", "T0KEN123"],
        ),
        (
            "slack://T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7FQ/#general",
            ["A1BRTD4JD", "TIiajkdnlazkcOXrIdevi7FQ", "T1JJ3T3L2"],
        ),
        ("tgram://123456789:ABCdefGHIjklMNOpqrSTUvwxYZ/12345", ["ABCdefGHIjklMNOpqrSTUvwxYZ"]),
        ("ntfy://my-private-topic", ["my-private-topic"]),
    ],
)
def test_labels_and_redaction_never_show_secrets(url: str, secrets: list[str]) -> None:
    channel = make_channel(url, "test")
    texts = [
        channel.label,
        repr(channel),
        redact(f"could not reach {url} (see {url.split('://')[1]})", [channel]),
    ]
    for text in texts:
        for secret in secrets:
            assert secret not in text, text
    assert channel.label.startswith(url.split("://")[0] + "://")


def test_settings_never_show_notify_urls(tmp_path: Path) -> None:
    settings = load_settings(tmp_path, env={"ARTICLEWATCH_NOTIFY": f"json://u:{PASSWORD}@h/x ntfy://topic-x"})
    assert settings.notify == (f"json://u:{PASSWORD}@h/x", "ntfy://topic-x")
    assert PASSWORD not in repr(settings)
    assert [c.url for c in run_channels(settings.notify, [f"json://u:{PASSWORD}@h/x"])] == list(
        settings.notify
    )


def test_send_posts_the_alert_with_its_id(inbox: AlertInbox, store: SnapshotStore) -> None:
    [alert] = owe(store, 1)
    channel = make_channel(secret_url(inbox), "test")
    send(channel, alert_message(alert), (alert.alert_id,))
    [document] = inbox.received
    assert document["alert_id"] == alert.alert_id
    assert document["title"] == "Changed: Headline 1 — Example News"
    assert "headline: [-old-] {+new 1+}" in document["message"]
    assert inbox.authorizations[0] is not None, "the password was not used"


def test_a_down_or_refusing_channel_gives_a_one_line_redacted_error(
    inbox: AlertInbox, store: SnapshotStore
) -> None:
    [alert] = owe(store, 1)
    channel = make_channel(secret_url(inbox), "test")
    inbox.fail_with = 503
    with pytest.raises(NotifyError) as refused:
        send(channel, alert_message(alert), (alert.alert_id,))
    assert "503" in str(refused.value)
    inbox.stop()
    with pytest.raises(NotifyError) as down:
        send(channel, alert_message(alert), (alert.alert_id,))
    for error in (refused.value, down.value):
        assert channel.label in str(error) and PASSWORD not in str(error) and "\n" not in str(error)


def test_each_owed_alert_is_sent_once(inbox: AlertInbox, store: SnapshotStore) -> None:
    channel = make_channel(inbox.apprise_url, "test")
    alerts = owe(store, 3, channel.id)
    [delivery] = deliver(store, [channel], clock=tick)
    assert delivery.delivered == tuple(a.alert_id for a in alerts) and delivery.pending == 0
    assert deliver(store, [channel], clock=tick)[0].delivered == ()
    assert inbox.alert_ids() == [a.alert_id for a in alerts]


def test_a_channel_that_is_down_gets_its_alerts_late_and_once(
    inbox: AlertInbox, store: SnapshotStore
) -> None:
    channel = make_channel(secret_url(inbox), "test")
    alerts = owe(store, 2, channel.id)
    inbox.stop()
    [delivery] = deliver(store, [channel], clock=tick)
    assert delivery.delivered == () and delivery.pending == 2
    assert delivery.error is not None and PASSWORD not in delivery.error
    assert Outbox(store).state(channel.id).last_error == delivery.error

    inbox.start()  # the same port: the channel is back
    [delivery] = deliver(store, [channel], clock=tick)
    assert delivery.delivered == tuple(a.alert_id for a in alerts) and delivery.pending == 0
    deliver(store, [channel], clock=tick)
    assert inbox.alert_ids() == [a.alert_id for a in alerts]


def test_one_channel_down_does_not_hold_back_another(store: SnapshotStore) -> None:
    with AlertInbox() as up, AlertInbox() as down:
        working, broken = make_channel(up.apprise_url, "a"), make_channel(down.apprise_url, "b")
        down.fail_with = 500
        alerts = owe(store, 2, working.id, broken.id)
        deliveries = deliver(store, [broken, working], clock=tick)
        assert [d.pending for d in deliveries] == [2, 0]
        assert up.alert_ids() == [a.alert_id for a in alerts] and down.received == []


def test_digest_sends_one_message_per_channel(inbox: AlertInbox, store: SnapshotStore) -> None:
    channel = make_channel(inbox.apprise_url, "test")
    alerts = owe(store, 3, channel.id)
    [delivery] = deliver(store, [channel], digest=True, clock=tick)
    assert len(delivery.delivered) == 3
    [document] = inbox.received
    assert document["title"].startswith("articlewatch: 3 article alerts")
    assert inbox.alert_ids() == [a.alert_id for a in alerts]
    deliver(store, [channel], digest=True, clock=tick)
    assert len(inbox.received) == 1


def test_a_crash_between_send_and_mark_resends_once_with_the_same_id(
    inbox: AlertInbox, store: SnapshotStore
) -> None:
    channel = make_channel(inbox.apprise_url, "test")
    [alert] = owe(store, 1, channel.id)
    claimed = Outbox(store).claim_next(channel.id, "2026-11-22T09:00:00.000000Z")
    assert claimed is not None
    send(channel, alert_message(claimed.alert), (alert.alert_id,))  # ... and the process dies here

    # A run within the lease leaves it alone: the sender may still be alive.
    assert deliver(store, [channel], clock=lambda: "2026-11-22T09:01:00.000000Z")[0].delivered == ()
    # After the lease the alert goes again (at-least-once), saying so, under the same id.
    [delivery] = deliver(store, [channel], clock=lambda: "2026-11-22T09:20:00.000000Z")
    assert delivery.delivered == (alert.alert_id,)
    assert inbox.alert_ids() == [alert.alert_id, alert.alert_id]
    assert "interrupted delivery" in inbox.received[1]["message"]
    assert deliver(store, [channel], clock=lambda: "2026-11-22T10:00:00.000000Z")[0].delivered == ()
    assert len(inbox.received) == 2

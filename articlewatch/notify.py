"""Alert channels (Apprise URLs) and delivery of the outbox to them.

Notification URLs carry secrets (tokens, passwords, webhook paths). They live only in memory
here: the outbox knows a channel by the SHA-256 of its URL, people see `Channel.label` (scheme
and host, secrets masked), and every message that could echo a URL (Apprise's own errors
included) goes through `redact` first.

Delivery guarantee, per alert and channel:
- never lost: the alert is in the outbox from the moment its version is recorded; a channel that
  is down keeps it pending and every later run with that channel tries again, oldest first;
- never sent twice by us: a delivered alert is marked in the outbox right after the channel
  accepted it, in its own transaction, and is never claimed again;
- the one window no sender can close: a crash after the channel accepted an alert and before that
  mark. The alert is then sent again on a run after the lease (at-least-once), marked as possibly
  sent, with the same alert id, which JSON webhooks also get as a top-level `alert_id` field:
  a receiver that drops ids it has seen gets each alert exactly once.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, quote, unquote, urlsplit

import apprise

from .alerts import Message, alert_message, digest_message
from .errors import ConfigError, NotifyError, one_line
from .failpoints import failpoint
from .fetch import utc_now
from .outbox import DEFAULT_LEASE_SECONDS, Outbox
from .store import SnapshotStore

MASK = "****"
# Apprise plugins that post a JSON, XML or form document take extra top-level fields as
# `?:name=value` in their URL; a webhook receiver gets the alert id there to dedupe on.
_PAYLOAD_FIELD_SCHEMES = {"json", "jsons", "xml", "xmls", "form", "forms"}
_SHORTEST_SECRET = 4  # shorter URL parts ("api", "v1") are not worth masking everywhere
_apprise_log_lock = threading.Lock()


@dataclass(frozen=True)
class Channel:
    """One notification URL; `url` holds secrets and never appears in a repr, log or file."""

    url: str = field(repr=False)
    id: str
    label: str


@dataclass(frozen=True)
class Delivery:
    """What one run delivered to one channel."""

    channel: str  # the label
    delivered: tuple[str, ...]  # alert ids, in the order sent
    pending: int  # still owed after this run
    error: str | None  # why the rest is pending (redacted), or None


def make_channel(url: str, source: str) -> Channel:
    """A channel from an Apprise URL; ConfigError naming the source, never the URL, when it is unusable."""
    url = url.strip()
    plugin = _instantiate(url)
    if plugin is None:
        scheme = url.split("://", 1)[0] if "://" in url else "?"
        raise ConfigError(
            f"{source}: not a notification URL Apprise can use (scheme {scheme!r}; see the Apprise wiki)"
        )
    return Channel(url=url, id=hashlib.sha256(url.encode("utf-8")).hexdigest(), label=_label(url, plugin))


def make_channels(urls: Iterable[str], source: str) -> tuple[Channel, ...]:
    """Channels from URLs, each once, in the order given."""
    channels: dict[str, Channel] = {}
    for number, url in enumerate(urls, start=1):
        if url.strip():
            channel = make_channel(url, f"{source}: notify URL {number}")
            channels.setdefault(channel.id, channel)
    return tuple(channels.values())


def run_channels(configured: Iterable[str], given: Iterable[str]) -> tuple[Channel, ...]:
    """The channels of a check run: the configured ones (file or $ARTICLEWATCH_NOTIFY), then --notify's."""
    channels = (*make_channels(configured, "configuration"), *make_channels(given, "--notify"))
    return tuple({channel.id: channel for channel in channels}.values())


def redact(text: str, channels: Iterable[Channel]) -> str:
    """The text with every channel URL, and every secret part of one, masked."""
    secrets: set[str] = set()
    for channel in channels:
        secrets |= _secret_parts(channel)
    for secret in sorted(secrets, key=len, reverse=True):
        text = text.replace(secret, MASK)
    return text


def send(channel: Channel, message: Message, alert_ids: tuple[str, ...]) -> None:
    """Deliver one message to a channel; NotifyError (redacted, one line) when it did not take it."""
    url = _with_alert_ids(channel.url, alert_ids)
    plugin = _instantiate(url)
    if plugin is None:  # cannot happen for a URL make_channel accepted; stay safe if it does
        raise NotifyError(f"{channel.label}: Apprise no longer accepts this URL")
    try:
        with _apprise_warnings() as warnings:
            accepted = plugin.notify(
                body=message.body,
                title=message.title,
                notify_type=apprise.NotifyType.INFO,
                body_format=apprise.NotifyFormat.TEXT,
            )
    except Exception as exc:  # a plugin bug or a library error must not lose the alert
        raise NotifyError(redact(f"{channel.label}: {type(exc).__name__}: {exc}", [channel])) from None
    if not accepted:
        reason = warnings[-1] if warnings else "the channel did not accept the alert"
        raise NotifyError(" ".join(redact(f"{channel.label}: not delivered ({reason})", [channel]).split()))


def deliver(
    store: SnapshotStore,
    channels: Iterable[Channel],
    digest: bool = False,
    clock: Callable[[], str] = utc_now,
    lease_seconds: float = DEFAULT_LEASE_SECONDS,
) -> tuple[Delivery, ...]:
    """Send every alert the outbox owes these channels: one message each, or one digest per channel."""
    outbox = Outbox(store)
    failpoint("alert.deliver")
    deliveries = []
    for channel in channels:
        if digest:
            sent, error = _deliver_digest(outbox, channel, clock, lease_seconds)
        else:
            sent, error = _deliver_each(outbox, channel, clock, lease_seconds)
        deliveries.append(Delivery(channel.label, sent, outbox.state(channel.id).pending, error))
    return tuple(deliveries)


def _deliver_each(
    outbox: Outbox, channel: Channel, clock: Callable[[], str], lease_seconds: float
) -> tuple[tuple[str, ...], str | None]:
    sent: list[str] = []
    while (claimed := outbox.claim_next(channel.id, clock(), lease_seconds)) is not None:
        alert_id = claimed.alert.alert_id
        try:
            send(channel, alert_message(claimed.alert, claimed.maybe_sent), (alert_id,))
        except NotifyError as exc:
            outbox.release(channel.id, [alert_id], one_line(exc))
            return tuple(sent), one_line(exc)  # the channel is down: the rest waits for a later run
        failpoint("alert.sent")
        outbox.mark_delivered(channel.id, [alert_id], clock())  # at once: the duplicate window
        sent.append(alert_id)
    return tuple(sent), None


def _deliver_digest(
    outbox: Outbox, channel: Channel, clock: Callable[[], str], lease_seconds: float
) -> tuple[tuple[str, ...], str | None]:
    claimed = outbox.claim_all(channel.id, clock(), lease_seconds)
    if not claimed:
        return (), None
    alert_ids = [c.alert.alert_id for c in claimed]
    message = digest_message([c.alert for c in claimed], any(c.maybe_sent for c in claimed))
    try:
        send(channel, message, tuple(alert_ids))
    except NotifyError as exc:
        outbox.release(channel.id, alert_ids, one_line(exc))
        return (), one_line(exc)
    outbox.mark_delivered(channel.id, alert_ids, clock())
    return tuple(alert_ids), None


def _instantiate(url: str) -> apprise.NotifyBase | None:
    with _apprise_warnings():  # Apprise logs why a URL is bad, URL included: keep it in
        return apprise.Apprise.instantiate(url)


@contextmanager
def _apprise_warnings() -> Iterator[list[str]]:
    """Collect Apprise's warnings instead of letting them reach the log handlers (they may hold URLs)."""
    logger = logging.getLogger("apprise")
    collected: list[str] = []

    class Collector(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            collected.append(record.getMessage())

    handler = Collector(level=logging.WARNING)
    with _apprise_log_lock:
        propagate = logger.propagate
        logger.propagate = False
        logger.addHandler(handler)
        try:
            yield collected
        finally:
            logger.removeHandler(handler)
            logger.propagate = propagate


def _label(url: str, plugin: apprise.NotifyBase) -> str:
    # Apprise's privacy form masks passwords and tokens; we keep only its scheme and host, and
    # mask a host that is not a host name either (ntfy's topic, a bot token).
    private = urlsplit(plugin.url(privacy=True))
    host = private.netloc.rsplit("@", 1)[-1]
    if "..." not in host and not any(mark in host for mark in ".:[") and host != "localhost":
        host = f"{host[:1]}...{host[-1:]}" if len(host) > 2 else MASK
    more = "/…" if urlsplit(url).path.strip("/") or urlsplit(url).query else ""
    return f"{url.split('://', 1)[0]}://{host}{more}"


def _secret_parts(channel: Channel) -> set[str]:
    url = channel.url
    parts = {url, url.split("://", 1)[-1]}
    try:
        pieces = urlsplit(url)
        candidates = [pieces.username, pieces.password]
        candidates += pieces.path.split("/")
        candidates += [value for _, value in parse_qsl(pieces.query)]
        candidates += [pieces.fragment, pieces.netloc.rsplit("@", 1)[0] if "@" in pieces.netloc else ""]
        host = pieces.hostname or ""
        if host and host not in channel.label:  # the label masked it: the host is a secret
            candidates.append(host)
    except ValueError:  # unparseable as a URL: only the whole string is known to be secret
        return parts
    for candidate in candidates:
        if candidate and (len(candidate) >= _SHORTEST_SECRET or candidate == pieces.password):
            parts |= {candidate, unquote(candidate), quote(candidate, safe="")}
    return {part for part in parts if part}


def _with_alert_ids(url: str, alert_ids: tuple[str, ...]) -> str:
    scheme = url.split("://", 1)[0].lower()
    if scheme not in _PAYLOAD_FIELD_SCHEMES or not alert_ids:
        return url
    name = "alert_id" if len(alert_ids) == 1 else "alert_ids"
    base, hash_mark, fragment = url.partition("#")
    joiner = "&" if "?" in base else "?"
    return f"{base}{joiner}:{name}={','.join(alert_ids)}{hash_mark}{fragment}"

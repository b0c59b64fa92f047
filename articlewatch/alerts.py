"""Alerts: what one significant new version (or, on request, a first sighting) tells a person. Pure.

An Alert is built once, when the version is stored, and kept in the outbox as a JSON document
(schemas/alert.schema.json); the message text is rendered from it at delivery time. Its id is
derived from the version it reports, so the same version always has the same id: receivers can
drop a repeat (see articlewatch.notify for when one can happen).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from .diff import word_diff
from .models import (
    AUTHOR,
    METADATA,
    PARAGRAPH_ADDED,
    PARAGRAPH_EDITED,
    PARAGRAPH_MOVED,
    PARAGRAPH_REMOVED,
    TITLE,
    Change,
    ChangeItem,
    Snapshot,
)
from .render import human_time, item_label, summarize
from .schemas import validate

ALERT_SCHEMA_VERSION = 1
AlertEvent = Literal["changed", "new", "gone", "restored"]
# A chat message should be read at a glance: a few items, each a line of bounded length.
SHORT_DIFF_ITEMS = 5
SHORT_DIFF_CHARS = 240
DIGEST_DIFF_ITEMS = 3
WORD_CONTEXT = 6  # unchanged words kept on each side of an edit in a short diff
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class AlertPolicy:
    """Which versions alert and to which channels (by channel id; the URLs stay with the sender)."""

    channel_ids: tuple[str, ...] = ()
    notify_new: bool = False


@dataclass(frozen=True)
class Alert:
    """One alert: the article, the version it reports, its kinds and a short diff."""

    alert_id: str
    event: AlertEvent
    url: str
    site: str | None
    headline: str | None
    version: int
    previous_version: int | None
    kinds: tuple[str, ...]
    summary: str
    diff: tuple[str, ...]
    when: str

    def to_document(self) -> dict[str, Any]:
        """The JSON document kept in the outbox (validated against the alert schema)."""
        document = {
            "schema_version": ALERT_SCHEMA_VERSION,
            "alert_id": self.alert_id,
            "event": self.event,
            "url": self.url,
            "site": self.site,
            "headline": self.headline,
            "version": self.version,
            "previous_version": self.previous_version,
            "kinds": list(self.kinds),
            "summary": self.summary,
            "diff": list(self.diff),
            "when": self.when,
        }
        validate("alert", document, f"alert {self.alert_id}")
        return document

    @classmethod
    def from_document(cls, document: dict[str, Any], source: str) -> Alert:
        """An Alert from its outbox document; StoreError naming `source` when it is invalid."""
        validate("alert", document, source)
        return cls(
            alert_id=document["alert_id"],
            event=document["event"],
            url=document["url"],
            site=document["site"],
            headline=document["headline"],
            version=document["version"],
            previous_version=document["previous_version"],
            kinds=tuple(document["kinds"]),
            summary=document["summary"],
            diff=tuple(document["diff"]),
            when=document["when"],
        )


@dataclass(frozen=True)
class Message:
    """A notification as channels take it: a title and a plain-text body."""

    title: str
    body: str


def alert_id(history_key: str, version: int, fingerprint: str) -> str:
    """The stable id of the alert for one stored version ("aw-" and 16 hex digits)."""
    digest = hashlib.sha256(f"{history_key}\n{version}\n{fingerprint}".encode()).hexdigest()
    return f"aw-{digest[:16]}"


def wants_alert(outcome: str, changes: Sequence[ChangeItem], policy: AlertPolicy) -> bool:
    """Whether a check that stored a new version alerts: a significant change, or a new article on request."""
    if outcome == "restored":
        return True
    if outcome == "changed":
        return any(item.significant for item in changes)
    return outcome == "new" and policy.notify_new


def status_alert(
    event: Literal["gone", "restored"],
    snapshot: Snapshot,
    spell_started: str,
    when: str,
) -> Alert:
    """The alert for an article unpublished (404/410) or back online with the text of its latest version.

    Its id comes from the unpublished spell (when it was first found gone), so one spell alerts
    once per event however often the check is repeated or retried.
    """
    digest = hashlib.sha256(f"{snapshot.key}\n{event}\n{spell_started}".encode()).hexdigest()
    article = snapshot.article
    summary = (
        f"unpublished: the page now answers 404/410 (last version {snapshot.version})"
        if event == "gone"
        else f"back online, unchanged since version {snapshot.version}"
    )
    return Alert(
        alert_id=f"aw-{digest[:16]}",
        event=event,
        url=snapshot.url,
        site=article.sitename or snapshot.host,
        headline=article.title,
        version=snapshot.version,
        previous_version=snapshot.version,
        kinds=(),
        summary=summary,
        diff=(),
        when=when,
    )


def version_alert(
    snapshot: Snapshot,
    changes: Sequence[ChangeItem],
    previous_version: int | None,
    event: Literal["changed", "restored"] = "changed",
) -> Alert:
    """The alert for a stored version: `changed` (or `restored`) with its diff; `new` for a first sighting."""
    article = snapshot.article
    identity = alert_id(snapshot.key, snapshot.version, snapshot.fingerprint)
    if previous_version is None:
        words = sum(len(paragraph.split()) for paragraph in article.paragraphs)
        return Alert(
            alert_id=identity,
            event="new",
            url=snapshot.url,
            site=article.sitename or snapshot.host,
            headline=article.title,
            version=snapshot.version,
            previous_version=None,
            kinds=(),
            summary=f"first seen: {len(article.paragraphs)} paragraphs, {words} words",
            diff=(),
            when=snapshot.fetched_at,
        )
    change = Change(
        url=snapshot.url,
        from_version=previous_version,
        to_version=snapshot.version,
        items=tuple(changes),
        to_fetched_at=snapshot.fetched_at,
        title=article.title,
        sitename=article.sitename,
    )
    return Alert(
        alert_id=identity,
        event=event,
        url=snapshot.url,
        site=article.sitename or snapshot.host,
        headline=article.title,
        version=snapshot.version,
        previous_version=previous_version,
        kinds=change.kinds,
        summary=summarize(change),
        diff=short_diff(change.items),
        when=snapshot.fetched_at,
    )


def short_diff(items: Sequence[ChangeItem], limit: int = SHORT_DIFF_ITEMS) -> tuple[str, ...]:
    """A few one-line descriptions of the items, edits as [-old-]{+new+} words in their context."""
    lines = []
    for item in items[:limit]:
        label = item_label(item)
        if item.kind in (PARAGRAPH_EDITED, TITLE, AUTHOR) and item.before and item.after:
            text = compact_word_diff(item.before, item.after)
        elif item.kind == PARAGRAPH_ADDED:
            text = f"+ {_one_line(item.after)}"
        elif item.kind == PARAGRAPH_REMOVED:
            text = f"- {_one_line(item.before)}"
        elif item.kind == PARAGRAPH_MOVED:
            text = _one_line(item.after)
        elif item.kind == METADATA:
            text = f"{_one_line(item.before) or 'none'} -> {_one_line(item.after) or 'none'}"
        else:
            before, after = _one_line(item.before), _one_line(item.after)
            text = (
                f"“{before}” -> “{after}”" if before and after else f"{before or 'none'} -> {after or 'none'}"
            )
        lines.append(_clip(f"{label}: {text}"))
    if len(items) > limit:
        rest = len(items) - limit
        lines.append(f"… and {rest} more change{'s' if rest > 1 else ''}")
    return tuple(lines)


def compact_word_diff(before: str, after: str, context: int = WORD_CONTEXT) -> str:
    """The word diff of an edit on one line, unchanged stretches cut to `context` words around changes."""
    runs = word_diff(_one_line(before), _one_line(after))
    parts = []
    for index, (op, text) in enumerate(runs):
        words = text.split()
        if op == "delete":
            parts.append(f"[-{' '.join(words)}-]")
        elif op == "insert":
            parts.append(f"{{+{' '.join(words)}+}}")
        else:
            keep_head = index > 0  # words right after a change
            keep_tail = index < len(runs) - 1  # words right before a change
            if len(words) > 2 * context or (len(words) > context and not (keep_head and keep_tail)):
                head = words[:context] if keep_head else []
                tail = words[-context:] if keep_tail else []
                words = [*head, "…", *tail]
            parts.append(" ".join(words))
    return " ".join(part for part in parts if part)


def alert_message(alert: Alert, maybe_sent: bool = False) -> Message:
    """The notification for one alert; `maybe_sent` adds a line saying it may repeat an earlier one."""
    note = "(Sent again after an interrupted delivery: drop it if this alert id arrived before.)"
    blocks = [
        _describe(alert),
        "\n".join(alert.diff),
        note if maybe_sent else "",
        f"alert id: {alert.alert_id}",
    ]
    return Message(title=_title(alert), body="\n\n".join(block for block in blocks if block))


def digest_message(alerts: Sequence[Alert], maybe_sent: bool = False) -> Message:
    """One notification for many alerts (digest mode), oldest first."""
    changed = sum(1 for alert in alerts if alert.event == "changed")
    new = len(alerts) - changed
    counts = [f"{n} {word}" for n, word in ((changed, "changed"), (new, "new")) if n]
    title = (
        f"articlewatch: {len(alerts)} article alert{'s' if len(alerts) != 1 else ''} ({', '.join(counts)})"
    )
    blocks = [
        "\n".join(
            [_title(alert), _describe(alert), *alert.diff[:DIGEST_DIFF_ITEMS], f"alert id: {alert.alert_id}"]
        )
        for alert in alerts
    ]
    if maybe_sent:
        blocks.append("(Sent again after an interrupted delivery: drop alerts whose id arrived before.)")
    return Message(title=title, body="\n\n".join(blocks))


def _title(alert: Alert) -> str:
    headline = _clip(_one_line(alert.headline) or alert.url, 120)
    prefix = "Changed" if alert.event == "changed" else "New article"
    return f"{prefix}: {headline}" + (f" — {alert.site}" if alert.site else "")


def _describe(alert: Alert) -> str:
    versions = (
        f"version {alert.previous_version} -> {alert.version}"
        if alert.previous_version is not None
        else f"version {alert.version}"
    )
    kinds = f"\nkinds: {', '.join(alert.kinds)}" if alert.kinds else ""
    return f"{alert.summary}{kinds}\nwhen: {human_time(alert.when)} ({versions})\n{alert.url}"


def _one_line(text: str | None) -> str:
    return _SPACE.sub(" ", text or "").strip()


def _clip(text: str, limit: int = SHORT_DIFF_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"

"""Reports: every change in a period, grouped by article, with each article's timeline of versions.

`build_report` reads the store; the renderers (articlewatch.render.report) turn a Report into
HTML or Markdown. Pure apart from reading snapshots.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from .changes import change_between
from .config import parse_duration
from .diff import diff_articles, word_diff
from .errors import ArticlewatchError, ConfigError, one_line
from .models import (
    PARAGRAPH_ADDED,
    PARAGRAPH_MOVED,
    PARAGRAPH_REMOVED,
    PUBLISHED,
    UPDATED,
    Change,
    ChangeItem,
    CheckResult,
)
from .store import SnapshotStore, VersionRow

DEFAULT_SINCE = "7d"


@dataclass(frozen=True)
class ChangeSize:
    """How much text a change touched, in words."""

    added: int
    removed: int

    @property
    def total(self) -> int:
        """Words added plus words removed."""
        return self.added + self.removed


@dataclass(frozen=True)
class TimelinePoint:
    """One version on an article's timeline; `change` is None for the first version."""

    version: int
    fetched_at: str
    title: str | None
    change: Change | None
    size: ChangeSize
    in_period: bool


@dataclass(frozen=True)
class ArticleReport:
    """One changed article: its timeline (every version) and the changes made in the period."""

    url: str
    site: str | None
    headline: str | None
    timeline: tuple[TimelinePoint, ...]

    @property
    def changes(self) -> tuple[Change, ...]:
        """The changes in the period, oldest first."""
        return tuple(p.change for p in self.timeline if p.in_period and p.change is not None)

    @property
    def last_changed(self) -> str:
        """When the latest change in the period was found."""
        return self.changes[-1].to_fetched_at or ""

    @property
    def kinds(self) -> tuple[str, ...]:
        """The kinds of every change in the period, each once, in the order first seen."""
        return tuple(dict.fromkeys(kind for change in self.changes for kind in change.kinds))

    @property
    def size(self) -> ChangeSize:
        """The words touched by the changes in the period."""
        sizes = [p.size for p in self.timeline if p.in_period and p.change is not None]
        return ChangeSize(sum(s.added for s in sizes), sum(s.removed for s in sizes))


@dataclass(frozen=True)
class Report:
    """Every article changed in a period, the most recently changed first."""

    since: str | None  # None: since the first version
    generated_at: str
    articles: tuple[ArticleReport, ...]
    problems: tuple[str, ...] = ()  # one line per article that could not be read

    @property
    def change_count(self) -> int:
        """Changes in the period across all articles."""
        return sum(len(article.changes) for article in self.articles)


def parse_since(text: str | None, now: datetime) -> str | None:
    """The start of a period: "all", a duration back from now ("7d", "12h") or an ISO date or time (UTC)."""
    if text is None or text.strip().lower() == "all":
        return None
    value = text.strip()
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        try:
            moment = now - timedelta(seconds=parse_duration(value, "--since"))
        except ConfigError:
            raise ConfigError(
                f"--since: not a duration or a date: {value!r} (use e.g. 24h, 7d, 2018-08-01 or all)"
            ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return _iso(moment)


def build_report(store: SnapshotStore, since: str | None, generated_at: str) -> Report:
    """Every article with a new version since `since`, with its full timeline."""
    articles = []
    problems = []
    for url, rows in store.changed_since(since or ""):
        try:
            articles.append(_article_report(store, url, rows, since))
        except ArticlewatchError as error:  # one unreadable snapshot costs its article, not the report
            problems.append(one_line(error))
    return Report(since=since, generated_at=generated_at, articles=tuple(articles), problems=tuple(problems))


def run_changes(store: SnapshotStore, results: Iterable[CheckResult]) -> list[Change]:
    """The changes a check run found, read back from the store, in the order of the results."""
    changes = []
    for result in results:
        if result.outcome in ("changed", "restored") and result.version and result.version > 1:
            changes.append(change_between(store, result.url, result.version - 1, result.version))
    return changes


def change_size(change: Change) -> ChangeSize:
    """Words added and removed by a change (stamps, dates and moves count as none)."""
    added = removed = 0
    for item in change.items:
        if item.kind in (UPDATED, PUBLISHED, PARAGRAPH_MOVED):
            continue
        item_added, item_removed = _item_size(item)
        added += item_added
        removed += item_removed
    return ChangeSize(added, removed)


def _item_size(item: ChangeItem) -> tuple[int, int]:
    if item.kind == PARAGRAPH_ADDED:
        return len((item.after or "").split()), 0
    if item.kind == PARAGRAPH_REMOVED:
        return 0, len((item.before or "").split())
    if item.before and item.after:
        runs = word_diff(item.before, item.after)
        return (
            sum(len(text.split()) for op, text in runs if op == "insert"),
            sum(len(text.split()) for op, text in runs if op == "delete"),
        )
    return len((item.after or "").split()), len((item.before or "").split())


def _article_report(
    store: SnapshotStore, url: str, rows: list[VersionRow], since: str | None
) -> ArticleReport:
    snapshots = [store.load(row.path) for row in rows]
    points = []
    for index, snapshot in enumerate(snapshots):
        change = None
        if index > 0:
            previous = snapshots[index - 1]
            change = Change(
                url=snapshot.url,
                from_version=previous.version,
                to_version=snapshot.version,
                items=diff_articles(previous.article, snapshot.article),
                from_fetched_at=previous.fetched_at,
                to_fetched_at=snapshot.fetched_at,
                title=snapshot.article.title,
                sitename=snapshot.article.sitename,
            )
        points.append(
            TimelinePoint(
                version=snapshot.version,
                fetched_at=snapshot.fetched_at,
                title=snapshot.article.title,
                change=change,
                size=change_size(change) if change else ChangeSize(0, 0),
                in_period=since is None or snapshot.fetched_at >= since,
            )
        )
    latest = snapshots[-1]
    return ArticleReport(
        url=url,
        site=latest.article.sitename or latest.host,
        headline=latest.article.title,
        timeline=tuple(points),
    )


def _iso(moment: datetime) -> str:
    # The format of fetch.utc_now, so periods compare with stored timestamps as text.
    return moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")

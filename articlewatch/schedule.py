"""When each watch is due for its next check. Pure: the clock is passed in."""

from __future__ import annotations

from datetime import datetime, timedelta

from .models import Watch


def parse_time(stamp: str) -> datetime:
    """An ISO 8601 UTC stamp ("...Z" or "+00:00") as an aware datetime."""
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


def next_due(watch: Watch, every_seconds: float) -> datetime | None:
    """When the watch is next due; None when it has never been checked (due at once)."""
    if watch.last_checked is None:
        return None
    return parse_time(watch.last_checked) + timedelta(seconds=every_seconds)


def due_watches(watches: list[Watch], now: datetime, every_seconds: float) -> list[Watch]:
    """The watches due at `now`, never-checked first, then most overdue first."""
    due = []
    for watch in watches:
        when = next_due(watch, every_seconds)
        if when is None or when <= now:
            due.append((when.timestamp() if when else float("-inf"), watch.url, watch))
    return [watch for _, _, watch in sorted(due, key=lambda item: (item[0], item[1]))]

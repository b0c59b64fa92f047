"""When each watch is due for its next check. Pure: the clock is passed in.

Articles change most in their first hours and then rarely, so the interval between checks
grows with the time the article has been quiet (like NewsDiffs): the *reference* is the latest
sign of life, its last stored change, else the date the page itself gives (updated or
published), else the time it was first watched. The tier whose window holds the time since the
reference gives the interval; past the last tier the watch is no longer checked ("stopped").

    quiet for less than   check every
    3 h                   15 min
    1 day                 1 h
    1 week                3 h
    30 days               3 days
    365 days              30 days
    longer                stop

A watch's own interval (`add --every 1h`) or a global `check_every` replaces the tiers and
never stops. Each next check moves by a jitter, deterministic per watch and check and bounded
by a fraction of the interval, so watches added together spread over time instead of hitting
one site in bursts.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from .models import Watch


@dataclass(frozen=True)
class Tier:
    """Check every `every` seconds while the article has been quiet for less than `within` seconds."""

    within: float
    every: float


HOUR = 3600.0
DAY = 24 * HOUR
DEFAULT_TIERS = (
    Tier(within=3 * HOUR, every=15 * 60.0),
    Tier(within=DAY, every=HOUR),
    Tier(within=7 * DAY, every=3 * HOUR),
    Tier(within=30 * DAY, every=3 * DAY),
    Tier(within=365 * DAY, every=30 * DAY),
)


@dataclass(frozen=True)
class SchedulePolicy:
    """How next checks are computed: the tiers, or one fixed interval, plus jitter and slack."""

    tiers: tuple[Tier, ...] = DEFAULT_TIERS
    fixed_every: float | None = None  # one interval for every watch (config `check_every`)
    jitter: float = 0.1  # each next check moves by up to this fraction of its interval, either way
    # A watch due within this long from now counts as due now, so a run every 5 minutes checks a
    # 15-minute watch at the nearest run instead of pushing it to the one after.
    slack: float = 150.0


@dataclass(frozen=True)
class NextCheck:
    """When a watch is next due (None: stopped) and the interval in force (None when stopped)."""

    at: datetime | None
    every: float | None
    reason: str


def parse_time(stamp: str) -> datetime:
    """An ISO 8601 UTC stamp ("...Z" or "+00:00") as an aware datetime."""
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


def format_time(moment: datetime) -> str:
    """An aware datetime as an ISO 8601 UTC stamp ending in Z (seconds precision)."""
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def page_date(value: str | None) -> datetime | None:
    """A date the page gives ("2018-07-19", ISO with or without offset) as aware UTC; None if unreadable."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def reference_time(watch: Watch, now: datetime) -> datetime:
    """The latest sign of life: the last change, else the page's own date, else when first watched."""
    candidates = [page_date(watch.last_changed)]
    dates = [d for d in (page_date(watch.published), page_date(watch.updated)) if d is not None]
    candidates.append(max(dates) if dates else parse_time(watch.added_at))
    # A page date in the future (a wrong time zone, a scheduled story) means "just now".
    return min(max(c for c in candidates if c is not None), now)


def interval_for(quiet: timedelta, tiers: Iterable[Tier]) -> float | None:
    """The check interval for an article quiet for `quiet`; None past the last tier (stop)."""
    seconds = quiet.total_seconds()
    for tier in sorted(tiers, key=lambda t: t.within):
        if seconds < tier.within:
            return tier.every
    return None


def jitter_offset(watch: Watch, every: float, fraction: float) -> float:
    """Seconds to move a next check by: in [-fraction*every, +fraction*every], fixed per watch and check."""
    seed = f"{watch.key}|{watch.last_checked}".encode()
    unit = int.from_bytes(hashlib.sha256(seed).digest()[:8], "big") / 2**64  # in [0, 1)
    return (2 * unit - 1) * fraction * every


def next_check(watch: Watch, policy: SchedulePolicy, now: datetime) -> NextCheck:
    """When `watch` is next due under `policy`; a never-checked watch is due since it was added."""
    if watch.last_checked is None:
        return NextCheck(parse_time(watch.added_at), None, "never checked")
    last = parse_time(watch.last_checked)
    fixed = watch.every_seconds or policy.fixed_every
    if fixed:
        source = "watch" if watch.every_seconds else "config"
        return _jittered(watch, last, fixed, policy, f"every {format_duration(fixed)} ({source})")
    reference = reference_time(watch, now)
    # The first tier whose interval, counted from the last check, ends inside its own window.
    for tier in sorted(policy.tiers, key=lambda t: t.within):
        candidate = last + timedelta(seconds=tier.every)
        if candidate - reference < timedelta(seconds=tier.within):
            quiet = format_duration(max((candidate - reference).total_seconds(), 0.0))
            reason = f"every {format_duration(tier.every)} (quiet for {quiet})"
            return _jittered(watch, last, tier.every, policy, reason)
    longest = max((t.within for t in policy.tiers), default=0.0)
    return NextCheck(None, None, f"stopped: no change for over {format_duration(longest)}")


def _jittered(watch: Watch, last: datetime, every: float, policy: SchedulePolicy, reason: str) -> NextCheck:
    offset = jitter_offset(watch, every, policy.jitter)
    return NextCheck(last + timedelta(seconds=every + offset), every, reason)


def due_watches(watches: Iterable[Watch], now: datetime, policy: SchedulePolicy) -> list[Watch]:
    """The watches due at `now` (within the policy's slack), most overdue first; stopped ones never."""
    horizon = now + timedelta(seconds=policy.slack)
    due = []
    for watch in watches:
        when = next_check(watch, policy, now).at
        if when is not None and when <= horizon:
            due.append((when, watch.url, watch))
    return [watch for _, _, watch in sorted(due, key=lambda item: (item[0], item[1]))]


def format_duration(seconds: float) -> str:
    """A short human duration: 90 -> "1m30s", 3600 -> "1h", 259200 -> "3d"."""
    remaining = round(seconds)
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        count, remaining = divmod(remaining, size)
        if count:
            parts.append(f"{count}{unit}")
        if len(parts) == 2:
            break
    return "".join(parts) or "0s"

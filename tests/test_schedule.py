"""The adaptive schedule with an injected clock: tiers, jitter bounds, overrides, stop, due order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from articlewatch.config import load_settings, parse_tiers
from articlewatch.errors import ConfigError
from articlewatch.models import Watch
from articlewatch.schedule import (
    DEFAULT_TIERS,
    SchedulePolicy,
    Tier,
    due_watches,
    format_time,
    interval_for,
    jitter_offset,
    next_check,
)

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
NO_JITTER = SchedulePolicy(jitter=0.0, slack=0.0)
MINUTE = 60.0
HOUR = 3600.0
DAY = 86400.0


def stamp(moment: datetime) -> str:
    return format_time(moment)


def watch(
    name: str = "a",
    *,
    added: timedelta = timedelta(days=400),
    checked: timedelta | None = timedelta(0),
    changed: timedelta | None = None,
    published: timedelta | None = None,
    every: float | None = None,
) -> Watch:
    """A watch whose times are given as how long before NOW they happened."""
    return Watch(
        url=f"https://news.example/{name}",
        key=f"key-{name}",
        host="news.example",
        added_at=stamp(NOW - added),
        last_checked=stamp(NOW - checked) if checked is not None else None,
        last_outcome="unchanged" if checked is not None else None,
        versions=2 if changed is not None else 1,
        every_seconds=every,
        last_changed=stamp(NOW - changed) if changed is not None else None,
        published=stamp(NOW - published) if published is not None else None,
    )


@pytest.mark.parametrize(
    ("quiet", "every"),
    [
        (timedelta(minutes=1), 15 * MINUTE),
        (timedelta(hours=2, minutes=40), 15 * MINUTE),
        (timedelta(hours=5), HOUR),
        (timedelta(hours=22), HOUR),
        (timedelta(days=3), 3 * HOUR),
        (timedelta(days=20), 3 * DAY),
        (timedelta(days=200), 30 * DAY),
    ],
)
def test_tier_follows_the_time_since_the_last_change(quiet: timedelta, every: float) -> None:
    result = next_check(watch(changed=quiet), NO_JITTER, NOW)
    assert result.every == every
    assert result.at == NOW + timedelta(seconds=every)


def test_the_tier_is_the_one_in_force_when_the_next_check_falls() -> None:
    # Changed 2h50m ago: 15 minutes later it has been quiet for over 3 h, so the hourly tier applies.
    result = next_check(watch(changed=timedelta(hours=2, minutes=50)), NO_JITTER, NOW)
    assert result.every == HOUR and result.at == NOW + timedelta(hours=1)


def test_article_age_counts_when_it_never_changed() -> None:
    # First watched just now, but the page says it was published two days ago: 3-hourly.
    fresh_watch_of_old_article = watch(added=timedelta(minutes=5), published=timedelta(days=2))
    assert next_check(fresh_watch_of_old_article, NO_JITTER, NOW).every == 3 * HOUR
    # Without a date on the page, the time it was first watched stands in for its age.
    assert next_check(watch(added=timedelta(minutes=5)), NO_JITTER, NOW).every == 15 * MINUTE


def test_a_recent_change_wins_over_an_old_publication_date() -> None:
    old_but_just_edited = watch(published=timedelta(days=90), changed=timedelta(minutes=30))
    assert next_check(old_but_just_edited, NO_JITTER, NOW).every == 15 * MINUTE


def test_a_page_date_in_the_future_counts_as_now() -> None:
    scheduled_story = watch(added=timedelta(days=2), published=-timedelta(days=3))
    assert next_check(scheduled_story, NO_JITTER, NOW).every == 15 * MINUTE


def test_checks_stop_after_a_quiet_year() -> None:
    result = next_check(watch(changed=timedelta(days=366)), NO_JITTER, NOW)
    assert result.at is None and result.every is None
    assert result.reason.startswith("stopped")
    # The last monthly check inside the year is still made; the one that would fall after is not.
    assert next_check(watch(changed=timedelta(days=300)), NO_JITTER, NOW).at is not None
    assert next_check(watch(changed=timedelta(days=340)), NO_JITTER, NOW).at is None


def test_a_stopped_watch_is_never_due() -> None:
    stopped = watch(changed=timedelta(days=400), checked=timedelta(days=10))
    assert due_watches([stopped], NOW + timedelta(days=1000), NO_JITTER) == []


def test_a_never_checked_watch_is_due_at_once() -> None:
    new = watch(added=timedelta(minutes=1), checked=None)
    result = next_check(new, NO_JITTER, NOW)
    assert result.at == NOW - timedelta(minutes=1)
    assert due_watches([new], NOW, NO_JITTER) == [new]


def test_a_watch_override_replaces_the_tiers_and_never_stops() -> None:
    ancient = watch(changed=timedelta(days=2000), every=HOUR)
    result = next_check(ancient, NO_JITTER, NOW)
    assert result.every == HOUR and result.at == NOW + timedelta(hours=1)
    assert "(watch)" in result.reason
    busy = watch(changed=timedelta(minutes=5), every=6 * HOUR)
    assert next_check(busy, NO_JITTER, NOW).every == 6 * HOUR


def test_a_global_fixed_interval_applies_to_watches_without_their_own() -> None:
    policy = SchedulePolicy(fixed_every=2 * HOUR, jitter=0.0)
    assert next_check(watch(changed=timedelta(days=2000)), policy, NOW).every == 2 * HOUR
    assert next_check(watch(every=HOUR), policy, NOW).every == HOUR


def test_configured_tiers_are_used() -> None:
    policy = SchedulePolicy(tiers=(Tier(HOUR, 5 * MINUTE), Tier(DAY, 2 * HOUR)), jitter=0.0)
    assert next_check(watch(changed=timedelta(minutes=10)), policy, NOW).every == 5 * MINUTE
    assert next_check(watch(changed=timedelta(hours=3)), policy, NOW).every == 2 * HOUR
    assert next_check(watch(changed=timedelta(days=2)), policy, NOW).at is None


def test_jitter_stays_within_its_bound_and_is_deterministic() -> None:
    policy = SchedulePolicy(jitter=0.1)
    offsets = []
    for index in range(400):
        item = watch(f"w{index}", changed=timedelta(minutes=30), checked=timedelta(seconds=index))
        result = next_check(item, policy, NOW)
        assert result.at is not None
        offset = (result.at - (NOW - timedelta(seconds=index))).total_seconds() - 15 * MINUTE
        assert -90.0 <= offset <= 90.0  # 10 % of 15 minutes, either way
        assert next_check(item, policy, NOW) == result  # same watch, same check: same time
        offsets.append(offset)
    # It spreads: both directions, and over most of the allowed range.
    assert min(offsets) < -60 and max(offsets) > 60


def test_jitter_changes_with_each_check() -> None:
    first = watch(checked=timedelta(hours=1))
    second = watch(checked=timedelta(minutes=59))
    assert jitter_offset(first, 900, 0.1) != jitter_offset(second, 900, 0.1)


def test_due_watches_most_overdue_first_within_the_slack() -> None:
    policy = SchedulePolicy(fixed_every=HOUR, jitter=0.0, slack=120.0)
    very_late = watch("late", checked=timedelta(hours=5))
    a_bit_late = watch("bit", checked=timedelta(hours=1, minutes=10))
    almost = watch("almost", checked=timedelta(minutes=59))  # due in 1 minute: inside the slack
    not_yet = watch("later", checked=timedelta(minutes=30))
    never = watch("never", added=timedelta(hours=2), checked=None)
    due = due_watches([not_yet, almost, a_bit_late, never, very_late], NOW, policy)
    assert [w.url.rsplit("/", 1)[1] for w in due] == ["late", "never", "bit", "almost"]


def test_interval_for_past_the_last_tier_is_none() -> None:
    assert interval_for(timedelta(days=364), DEFAULT_TIERS) == 30 * DAY
    assert interval_for(timedelta(days=365), DEFAULT_TIERS) is None


def test_tiers_from_config_file_and_environment(tmp_path: Path) -> None:
    (tmp_path / "articlewatch.toml").write_text(
        'schedule = [["2h", "10m"], ["2d", "2h"]]\njitter = 0.05\nhost_delay = "3s"\nrobots = false\n'
    )
    settings = load_settings(tmp_path, env={})
    assert settings.schedule == (Tier(2 * HOUR, 10 * MINUTE), Tier(2 * DAY, 2 * HOUR))
    assert settings.jitter == 0.05 and settings.host_delay == 3.0 and settings.robots is False
    policy = settings.schedule_policy()
    assert policy.tiers == settings.schedule and policy.fixed_every is None
    env = {"ARTICLEWATCH_SCHEDULE": "1h=5m, 1d=1h", "ARTICLEWATCH_CHECK_EVERY": "30m"}
    from_env = load_settings(tmp_path, env=env)
    assert from_env.schedule == (Tier(HOUR, 5 * MINUTE), Tier(DAY, HOUR))
    assert from_env.schedule_policy().fixed_every == 30 * MINUTE


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("3h-15m", "QUIET=EVERY"),
        ("1d=1h, 3h=15m", "shortest quiet time"),
        ("3h=soon", "not a duration"),
        ("", "at least one"),
        (42, "QUIET=EVERY"),
    ],
)
def test_bad_tiers_are_one_line_config_errors(value: object, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as caught:
        parse_tiers(value, "articlewatch.toml: schedule")
    assert "\n" not in str(caught.value) and "articlewatch.toml: schedule" in str(caught.value)


@pytest.mark.parametrize(("name", "value"), [("jitter", "1.5"), ("robots", "maybe"), ("host_delay", "-1s")])
def test_bad_politeness_and_jitter_values_name_the_setting(name: str, value: str, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=f"environment: {name}"):
        load_settings(tmp_path, env={f"ARTICLEWATCH_{name.upper()}": value})

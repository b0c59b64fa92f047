"""One Settings object: defaults, then the config file, then the environment; validated once.

The config file is TOML, `articlewatch.toml` in the store directory or the path in
$ARTICLEWATCH_CONFIG (the only place for a store on shared storage, an fsspec URL such as
s3://bucket/prefix: it is never read from the bucket), with the keys of `Settings` (durations
as "15m", "1h", "90s"):

    timeout = "20s"
    max_bytes = 10485760
    concurrency = 8
    schedule = "3h=15m, 1d=1h, 7d=3h, 30d=3d, 365d=30d"   # quiet for less than X: check every Y
    jitter = 0.1              # each next check moves by up to 10 % of its interval
    due_slack = "150s"        # due this soon counts as due now
    # check_every = "1h"      # one fixed interval for every watch instead of the schedule
    host_concurrency = 2      # requests in flight at once to one host
    host_delay = "1s"         # between two requests to one host
    robots = true             # honour robots.txt
    notify = ["json://alerts.example.org/hook", "ntfy://my-topic"]   # Apprise URLs for alerts
    notify_new = false        # also alert when an article is first seen
    notify_digest = false     # one message per run instead of one per change
    digest_notify = ["mailto://..."]   # channels that get only the daily digest (one message a day)
    block_private = false     # refuse hosts that resolve to loopback/private/link-local addresses
    # index = "postgresql+psycopg://aw:secret@db.example.org/articlewatch"   # an index workers share
    # dask_address = "tcp://scheduler.example.org:8786"   # run batch tasks on this Dask cluster
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from .blobs import is_url
from .errors import ConfigError, StoreError
from .index_db import index_kind
from .schedule import DEFAULT_TIERS, SchedulePolicy, Tier

CONFIG_FILE = "articlewatch.toml"
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|sec|m|min|h|d|w)?\s*$", re.IGNORECASE)
_UNIT_SECONDS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "d": 86400, "w": 604800}


@dataclass(frozen=True)
class Settings:
    """Everything configurable, with its default."""

    # A local directory (a Path), or an fsspec URL (a str: s3://bucket/prefix, file:///mnt/shared/x)
    # for snapshots several machines share; see articlewatch.blobs.
    store: Path | str = Path("snapshots")
    check_every: float | None = None  # one interval for every watch; None: the adaptive schedule
    timeout: float = 20.0  # seconds for one whole fetch: connect, redirects, headers and body
    max_bytes: int = 10 * 1024 * 1024  # larger pages are refused, not truncated
    concurrency: int = 8  # fetches in flight at once
    schedule: tuple[Tier, ...] = DEFAULT_TIERS  # adaptive re-check tiers, shortest quiet time first
    jitter: float = 0.1  # fraction of an interval a next check may move by, either way
    due_slack: float = 150.0  # seconds: a watch due this soon is checked now
    host_concurrency: int = 2  # requests in flight at once to one host
    host_delay: float = 1.0  # seconds between the starts of two requests to one host
    robots: bool = True  # honour robots.txt
    # Apprise URLs alerts go to; they hold secrets, so they never show in a repr.
    notify: tuple[str, ...] = field(default=(), repr=False)
    notify_new: bool = False  # alert on an article's first sighting too
    notify_digest: bool = False  # one message per channel and run instead of one per alert
    # Channels that receive only the daily-digest flow's one message a day, never per-change alerts.
    digest_notify: tuple[str, ...] = field(default=(), repr=False)
    # Refuse URLs whose host resolves to a loopback, private, link-local or metadata address (on
    # every redirect hop): for watch lists that come from other people.
    block_private: bool = False
    # The index database as an SQLAlchemy URL: None for index.sqlite3 in the store directory, or
    # postgresql+psycopg://user:password@host/db for one index every worker shares. Holds a
    # password, so never in a repr.
    index: str | None = field(default=None, repr=False)
    # A running Dask scheduler ("tcp://host:8786"): batch tasks run on its workers through
    # prefect-dask's DaskTaskRunner. None: in this process, a few batches at a time in threads.
    dask_address: str | None = None

    def schedule_policy(self) -> SchedulePolicy:
        """The schedule settings as the policy articlewatch.schedule computes with."""
        return SchedulePolicy(
            tiers=self.schedule, fixed_every=self.check_every, jitter=self.jitter, slack=self.due_slack
        )


def parse_duration(value: object, name: str = "duration") -> float:
    """Seconds from "90", "90s", "15m", "1h", "2d" or a number; ConfigError otherwise."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = float(value)
    else:
        match = _DURATION.match(str(value))
        if not match:
            raise ConfigError(f"{name}: not a duration: {value!r} (use e.g. 90s, 15m, 1h, 2d)")
        seconds = float(match.group(1)) * _UNIT_SECONDS[(match.group(2) or "s").lower()]
    if seconds <= 0:
        raise ConfigError(f"{name}: must be positive, got {value!r}")
    return seconds


def load_settings(
    store: str | os.PathLike[str] | None = None, env: Mapping[str, str] | None = None
) -> Settings:
    """Settings for a run: the store from the argument, else $ARTICLEWATCH_STORE, else ./snapshots."""
    environ = os.environ if env is None else env
    given = store or environ.get("ARTICLEWATCH_STORE") or "snapshots"
    root: Path | str = os.fspath(given) if is_url(given) else Path(given)
    settings = Settings(store=root)
    if environ.get("ARTICLEWATCH_CONFIG"):
        config_path: Path | None = Path(environ["ARTICLEWATCH_CONFIG"])
    else:  # a store on shared storage has no config file of its own: only $ARTICLEWATCH_CONFIG
        config_path = root / CONFIG_FILE if isinstance(root, Path) else None
    if config_path is not None and config_path.is_file():
        settings = _apply(settings, _read_toml(config_path), source=str(config_path))
    from_env = {
        f.name: environ[f"ARTICLEWATCH_{f.name.upper()}"]
        for f in fields(Settings)
        if f.name != "store" and f"ARTICLEWATCH_{f.name.upper()}" in environ
    }
    return _apply(settings, from_env, source="environment")


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: unreadable config ({exc})") from exc


def _apply(settings: Settings, values: Mapping[str, Any], source: str) -> Settings:
    known = {f.name for f in fields(Settings)} - {"store"}
    changes: dict[str, Any] = {}
    for name, value in values.items():
        if name not in known:
            raise ConfigError(f"{source}: unknown setting {name!r} (known: {', '.join(sorted(known))})")
        changes[name] = _PARSERS.get(name, _positive_int)(value, f"{source}: {name}")
    return replace(settings, **changes)


def parse_tiers(value: object, name: str = "schedule") -> tuple[Tier, ...]:
    """Tiers from "3h=15m, 1d=1h" or [["3h", "15m"], ["1d", "1h"]]; ConfigError otherwise."""
    if isinstance(value, str):
        pairs: list[Any] = [item.split("=", 1) for item in value.split(",") if item.strip()]
    elif isinstance(value, list):
        pairs = value
    else:
        raise ConfigError(f'{name}: expected "QUIET=EVERY, ..." (e.g. "3h=15m, 1d=1h"), got {value!r}')
    tiers = []
    for pair in pairs:
        if not isinstance(pair, list | tuple) or len(pair) != 2:
            raise ConfigError(f'{name}: expected QUIET=EVERY pairs (e.g. "3h=15m"), got {pair!r}')
        tiers.append(Tier(parse_duration(pair[0], name), parse_duration(pair[1], name)))
    if not tiers:
        raise ConfigError(f"{name}: needs at least one QUIET=EVERY tier")
    windows = [tier.within for tier in tiers]
    if windows != sorted(set(windows)):
        raise ConfigError(f"{name}: tiers must go from the shortest quiet time to the longest, got {value!r}")
    return tuple(tiers)


def _optional_duration(value: object, name: str) -> float | None:
    if isinstance(value, str) and value.strip().lower() in ("", "adaptive", "none"):
        return None
    return parse_duration(value, name)


def _delay(value: object, name: str) -> float:
    if value in (0, "0") or (isinstance(value, str) and value.strip() in ("0s", "0")):
        return 0.0
    return parse_duration(value, name)


def _fraction(value: object, name: str) -> float:
    try:
        number = float(str(value).strip())
    except ValueError:
        raise ConfigError(f"{name}: not a number: {value!r}") from None
    if not 0 <= number < 1:
        raise ConfigError(f"{name}: must be at least 0 and below 1, got {value!r}")
    return number


def _url_list(value: object, name: str) -> tuple[str, ...]:
    # A TOML list, or one string with URLs separated by spaces or commas (as $APPRISE_URLS takes them).
    if isinstance(value, str):
        return tuple(re.split(r"[\s,]+", value.strip())) if value.strip() else ()
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return tuple(item.strip() for item in value if item.strip())
    raise ConfigError(f"{name}: expected a list of notification URLs")


def _boolean(value: object, name: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "yes", "on", "1"):
        return True
    if text in ("false", "no", "off", "0"):
        return False
    raise ConfigError(f"{name}: not true or false: {value!r}")


# What Dask's Client accepts as a scheduler address: [protocol://]host:port (tcp, tls, ws, wss, ...).
_DASK_ADDRESS = re.compile(r"^(?:(tcp|tls|ws|wss|ucx|inproc)://)?(\[[0-9a-fA-F:]+\]|[\w.-]+):(\d{1,5})$")


def _index_url(value: object, name: str) -> str | None:
    # Only the kind is checked here; connecting (and its errors) happens when a store opens.
    if not isinstance(value, str):
        raise ConfigError(f"{name}: expected a database URL string, got {type(value).__name__}")
    if not value.strip():
        return None
    try:
        index_kind(value.strip())
    except StoreError as exc:
        raise ConfigError(f"{name}: {exc}") from None
    return value.strip()


def _dask_address(value: object, name: str) -> str | None:
    text = str(value).strip()
    if not text or text.lower() == "none":
        return None
    match = _DASK_ADDRESS.match(text)
    if not match or not 0 < int(match.group(3)) < 65536:
        raise ConfigError(f"{name}: not a Dask scheduler address: {value!r} (use e.g. tcp://10.0.0.5:8786)")
    return text if match.group(1) else f"tcp://{text}"


# How each setting is read from the file or the environment; the others are positive integers.
_PARSERS: dict[str, Any] = {
    "check_every": _optional_duration,
    "timeout": parse_duration,
    "schedule": parse_tiers,
    "jitter": _fraction,
    "due_slack": _delay,
    "host_delay": _delay,
    "robots": _boolean,
    "notify": _url_list,
    "notify_new": _boolean,
    "notify_digest": _boolean,
    "digest_notify": _url_list,
    "block_private": _boolean,
    "index": _index_url,
    "dask_address": _dask_address,
}


def _positive_int(value: object, name: str) -> int:
    try:
        number = int(str(value).strip())
    except ValueError:
        raise ConfigError(f"{name}: not a whole number: {value!r}") from None
    if number <= 0:
        raise ConfigError(f"{name}: must be positive, got {value!r}")
    return number

"""One Settings object: defaults, then the config file, then the environment; validated once.

The config file is TOML, `articlewatch.toml` in the store directory or the path in
$ARTICLEWATCH_CONFIG, with the keys of `Settings` (durations as "15m", "1h", "90s"):

    check_every = "15m"
    timeout = "20s"
    max_bytes = 10485760
    concurrency = 8
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from .errors import ConfigError

CONFIG_FILE = "articlewatch.toml"
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|sec|m|min|h|d|w)?\s*$", re.IGNORECASE)
_UNIT_SECONDS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "d": 86400, "w": 604800}


@dataclass(frozen=True)
class Settings:
    """Everything configurable, with its default."""

    store: Path = Path("snapshots")
    check_every: float = 15 * 60.0  # seconds between checks of one watch
    timeout: float = 20.0  # seconds for one HTTP request
    max_bytes: int = 10 * 1024 * 1024  # larger pages are refused, not truncated
    concurrency: int = 8  # fetches in flight at once


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
    root = Path(store or environ.get("ARTICLEWATCH_STORE") or "snapshots")
    settings = Settings(store=root)
    config_path = (
        Path(environ["ARTICLEWATCH_CONFIG"]) if environ.get("ARTICLEWATCH_CONFIG") else root / CONFIG_FILE
    )
    if config_path.is_file():
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
        label = f"{source}: {name}"
        if name in ("check_every", "timeout"):
            changes[name] = parse_duration(value, label)
        else:
            changes[name] = _positive_int(value, label)
    return replace(settings, **changes)


def _positive_int(value: object, name: str) -> int:
    try:
        number = int(str(value).strip())
    except ValueError:
        raise ConfigError(f"{name}: not a whole number: {value!r}") from None
    if number <= 0:
        raise ConfigError(f"{name}: must be positive, got {value!r}")
    return number

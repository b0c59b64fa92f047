"""Run the `articlewatch` CLI as a separate process against the session's Prefect test server."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def cli_command(store_dir: Path, *args: str) -> list[str]:
    """The command line of `articlewatch --store STORE ARGS...` in this interpreter."""
    return [sys.executable, "-m", "articlewatch.cli", "--store", str(store_dir), *args]


def cli_environment(failpoint: str | None = None, **settings: str) -> dict[str, str]:
    """This environment, pointed at the test Prefect server, with a failpoint and settings if given."""
    from prefect.settings import PREFECT_API_URL

    env = {**os.environ, "PREFECT_API_URL": str(PREFECT_API_URL.value()), **settings}
    env.pop("ARTICLEWATCH_FAILPOINT", None)
    if failpoint:
        env["ARTICLEWATCH_FAILPOINT"] = failpoint
    return env

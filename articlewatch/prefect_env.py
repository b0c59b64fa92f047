"""Prefect settings articlewatch needs before prefect is imported (offline machines, slow first start)."""

from __future__ import annotations

import os

# setdefault: a user's own Prefect configuration always wins.
PREFECT_DEFAULTS = {
    # Offline machines log errors when analytics cannot be sent.
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    # The ephemeral server's first start runs migrations: ~13 s here, over the 20 s default on a busy box.
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "90",
    # Keep the terminal for articlewatch's own output; flow and task chatter stays in the Prefect UI.
    "PREFECT_LOGGING_LEVEL": "WARNING",
}


# Only for the temporary server a run starts when no PREFECT_API_URL is set: stopping it at the
# end of the run can cut off its event flush, which it logs as an error with a traceback.
EPHEMERAL_SERVER_DEFAULTS = {"PREFECT_SERVER_LOGGING_LEVEL": "CRITICAL"}


def configure_prefect_environment() -> None:
    """Apply articlewatch's Prefect defaults to this process's environment."""
    defaults = dict(PREFECT_DEFAULTS)
    if not os.environ.get("PREFECT_API_URL"):
        defaults.update(EPHEMERAL_SERVER_DEFAULTS)
    for name, value in defaults.items():
        os.environ.setdefault(name, value)

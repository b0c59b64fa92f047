"""A process target for the index-opening race test: imports nothing of articlewatch until released."""

from __future__ import annotations

from typing import Any


def open_store_when_released(root: str, barrier: Any, outcomes: Any) -> None:
    """Wait for the others, then import and open the store at `root`; put "ok" or the error."""
    barrier.wait()
    try:
        from articlewatch.store import SnapshotStore

        with SnapshotStore(root):
            outcomes.put("ok")
    except Exception as error:  # noqa: BLE001 - the outcome is the test's subject
        outcomes.put(f"{type(error).__name__}: {error}")

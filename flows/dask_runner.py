"""Batch tasks on a Dask cluster through prefect-dask's DaskTaskRunner, when `dask_address` is set.

A flow's task runner is fixed when it is decorated, and a deployment's worker loads the decorated
flow as it is; the store's settings (where `dask_address` lives) are only known once a run has
started. So check_articles keeps its thread runner and, when the settings name a scheduler, maps
its batch tasks through a DaskTaskRunner of its own, entered for the run (a task runner is a
context manager whose submit/map take a task and its parameters, as the flow's own runner does).
Each task still reports to the flow run: prefect-dask sends the run's context with every task.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from articlewatch.errors import ArticlewatchError, one_line

# A scheduler that does not answer in this time is reported and the run goes on in threads.
CONNECT_TIMEOUT_SECONDS = 10


class DaskUnavailableError(ArticlewatchError):
    """The Dask scheduler named by dask_address could not be reached."""


@contextmanager
def dask_task_runner(address: str) -> Iterator[Any]:
    """A started DaskTaskRunner connected to the scheduler at `address`; DaskUnavailableError otherwise."""
    from prefect_dask import DaskTaskRunner

    with DaskTaskRunner(address=address, client_kwargs={"timeout": CONNECT_TIMEOUT_SECONDS}) as runner:
        try:
            runner.client  # noqa: B018 -- connect now: an unreachable scheduler is one clear error
        except (OSError, TimeoutError) as error:
            raise DaskUnavailableError(
                f"dask_address {address}: cannot reach the Dask scheduler ({one_line(error)})"
            ) from None
        yield runner

"""Flow-run heartbeats that stop the moment a run's work ends.

A Prefect server tells a crashed run from a long one by its heartbeat events
(`PREFECT_FLOWS_HEARTBEAT_FREQUENCY`). Prefect's own heartbeat thread sleeps in whole seconds and
the run joins it at its end: up to a second per flow run (STACK-NOTES), which was a third of a
warm pass over 1000 unchanged pages. `prompt_heartbeats()` runs a flow with Prefect's thread
off and has `flow_run_heartbeats()`, inside the flow, send the same events at the same frequency
from a thread that wakes as soon as it is told to stop.

Runs started by a deployment or `serve()` keep Prefect's own heartbeat: nobody waits for
their end, and without `prompt_heartbeats()` around the call `flow_run_heartbeats()` does nothing.
"""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

# Prefect's floor for the heartbeat interval (prefect.flow_engine.MINIMUM_HEARTBEAT_INTERVAL).
MINIMUM_HEARTBEAT_SECONDS = 30
HEARTBEAT_EVENT = "prefect.flow-run.heartbeat"
THREAD_NAME = "articlewatch-flow-heartbeat"

_heartbeat_seconds: contextvars.ContextVar[int | None] = contextvars.ContextVar(
    "articlewatch_heartbeat_seconds", default=None
)


@contextmanager
def prompt_heartbeats() -> Iterator[None]:
    """Around a flow call: Prefect's heartbeat thread off, ours (same frequency) on inside the flow."""
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, get_current_settings, temporary_settings

    frequency = get_current_settings().flows.heartbeat_frequency
    token = _heartbeat_seconds.set(None if frequency is None else max(frequency, MINIMUM_HEARTBEAT_SECONDS))
    try:
        with temporary_settings({PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
            yield
    finally:
        _heartbeat_seconds.reset(token)


@contextmanager
def flow_run_heartbeats() -> Iterator[None]:
    """Inside a flow: its run's heartbeat events while the body runs, when prompt_heartbeats asked."""
    from prefect.context import FlowRunContext

    seconds = _heartbeat_seconds.get()
    context = FlowRunContext.get()
    if seconds is None or context is None or context.flow_run is None:
        yield
        return
    resource, related = heartbeat_template(context.flow_run, context.flow.name if context.flow else "")
    stop = threading.Event()

    def beat() -> None:
        from prefect.events import emit_event

        while True:
            emit_event(event=HEARTBEAT_EVENT, resource=resource, related=related)
            if stop.wait(seconds):  # returns at once when the run's work ends
                return

    # The thread sees this context's settings (the API URL of the run), as Prefect's does.
    thread = threading.Thread(
        target=contextvars.copy_context().run, args=(beat,), name=THREAD_NAME, daemon=True
    )
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=2)


def heartbeat_template(flow_run: Any, flow_name: str) -> tuple[dict[str, str], list[dict[str, str]]]:
    """The resource and related resources of a flow run's heartbeat event, as Prefect sends them."""
    from prefect import __version__

    resource = {
        "prefect.resource.id": f"prefect.flow-run.{flow_run.id}",
        "prefect.resource.name": flow_run.name or "",
        "prefect.version": __version__,
    }
    related: list[dict[str, str]] = []
    if flow_run.flow_id:
        related.append(
            {
                "prefect.resource.id": f"prefect.flow.{flow_run.flow_id}",
                "prefect.resource.role": "flow",
                "prefect.resource.name": flow_name,
            }
        )
    if flow_run.deployment_id:
        related.append(
            {
                "prefect.resource.id": f"prefect.deployment.{flow_run.deployment_id}",
                "prefect.resource.role": "deployment",
            }
        )
    related += [
        {"prefect.resource.id": f"prefect.tag.{tag}", "prefect.resource.role": "tag"}
        for tag in sorted(set(flow_run.tags or ()))
    ]
    return resource, related

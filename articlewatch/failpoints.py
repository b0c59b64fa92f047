"""Named crash points, so the kill tests can stop a real run at an exact step of a write.

`$ARTICLEWATCH_FAILPOINT=NAME[:N]` kills the process with SIGKILL (as `kill -9` would: no
cleanup, no finally blocks) the N-th time (default 1st) it passes `failpoint(NAME)`. Unset, a
failpoint costs one environment lookup. The points:

    snapshot.temp   a temporary file is written and synced, not yet renamed into place
    snapshot.raw    a version's raw HTML is in place, its JSON is not
    snapshot.json   a version's JSON is in place, the index does not list it yet
    index.commit    an index transaction (a version, a check record, ...) has just committed
    alert.deliver   the run's versions and their alerts are stored, no alert is sent yet
    alert.sent      a channel has accepted an alert, the outbox does not know it yet
"""

from __future__ import annotations

import os
import signal
import threading

ENV = "ARTICLEWATCH_FAILPOINT"
_passes: dict[str, int] = {}
_lock = threading.Lock()


def failpoint(name: str) -> None:
    """Kill this process here when $ARTICLEWATCH_FAILPOINT names this point and its pass count."""
    spec = os.environ.get(ENV)
    if not spec:
        return
    wanted, _, count = spec.partition(":")
    if wanted != name:
        return
    with _lock:
        _passes[name] = _passes.get(name, 0) + 1
        reached = _passes[name] >= int(count or 1)
    if reached:
        os.kill(os.getpid(), signal.SIGKILL)

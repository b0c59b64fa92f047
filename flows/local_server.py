"""A Prefect server of our own on a free loopback port, for as long as a `with` block runs.

Schedules need a real server (the ephemeral one Prefect starts without PREFECT_API_URL does not
run the scheduler), so `articlewatch serve` starts `prefect server start` when no server is
configured. It keeps its SQLite database under $PREFECT_HOME when that is set, else in the
store, and is stopped, with every process it started, when the block ends: normally, on
Ctrl-C, or on an error.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import httpx

from articlewatch.errors import ArticlewatchError

DATABASE_FILE = "prefect-server.db"
LOG_FILE = "prefect-server.log"
# The first start on a fresh database runs migrations: ~15 s on a quiet 2-core machine.
STARTUP_TIMEOUT_SECONDS = 120.0
STOP_TIMEOUT_SECONDS = 20.0


class ServerStartError(ArticlewatchError):
    """The local Prefect server did not come up."""


def free_loopback_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def server_environment(data_dir: Path, environ: Mapping[str, str]) -> dict[str, str]:
    """The environment of the server process: offline-safe, database in $PREFECT_HOME or `data_dir`."""
    env = {name: value for name, value in environ.items() if name != "PREFECT_API_URL"}
    env["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
    env.setdefault("PREFECT_SERVER_LOGGING_LEVEL", "WARNING")
    if not environ.get("PREFECT_HOME") and not environ.get("PREFECT_SERVER_DATABASE_CONNECTION_URL"):
        database = (data_dir / DATABASE_FILE).resolve()
        env["PREFECT_SERVER_DATABASE_CONNECTION_URL"] = f"sqlite+aiosqlite:///{database}"
    return env


@contextmanager
def local_prefect_server(
    data_dir: Path,
    environ: Mapping[str, str] | None = None,
    startup_timeout: float = STARTUP_TIMEOUT_SECONDS,
) -> Iterator[str]:
    """Run `prefect server start` on a free loopback port; yield its API URL; stop it on the way out."""
    data_dir.mkdir(parents=True, exist_ok=True)
    port = free_loopback_port()
    api_url = f"http://127.0.0.1:{port}/api"
    log_path = data_dir / LOG_FILE
    command = [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)]
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            command,
            env=server_environment(data_dir, os.environ if environ is None else environ),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            # Its own process group: Ctrl-C in the terminal reaches us, and we stop the server
            # after the runs it tracks have wound down, with everything it started.
            start_new_session=True,
        )
    try:
        _wait_until_healthy(process, api_url, log_path, startup_timeout)
        yield api_url
    finally:
        stop_process_group(process)


def stop_process_group(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM the process group a process leads, then SIGKILL it if it has not gone in time."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=STOP_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=STOP_TIMEOUT_SECONDS)
    except ProcessLookupError:  # it went by itself in the meantime
        process.wait(timeout=STOP_TIMEOUT_SECONDS)


def _wait_until_healthy(
    process: subprocess.Popen[bytes], api_url: str, log_path: Path, timeout: float
) -> None:
    deadline = time.monotonic() + timeout
    with httpx.Client(timeout=2.0) as client:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise ServerStartError(
                    f"prefect server exited with status {process.returncode} at start: {_last_line(log_path)}"
                )
            try:
                if client.get(f"{api_url}/health").status_code == 200:
                    return
            except httpx.TransportError:
                pass  # not listening yet
            time.sleep(0.5)
    raise ServerStartError(f"prefect server not healthy after {timeout:.0f} s (log: {log_path})")


def _last_line(log_path: Path) -> str:
    try:
        lines = [line for line in log_path.read_text(errors="replace").splitlines() if line.strip()]
    except OSError:
        return f"see {log_path}"
    return f"{lines[-1].strip()} (log: {log_path})" if lines else f"no output (log: {log_path})"

"""The benchmark: its table (both whole-process figures, the memory of every process of a run)
and how it meets the Prefect server."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bench.perf import combined_baseline, render_table


def passes(cold: float, warm: float, edit: float, startup: float) -> dict[str, Any]:
    seconds = {"cold": cold, "warm": warm, "edit": edit}
    return {
        name: {
            "seconds": value,
            "ended_at": startup + value,
            "outcomes": {},
            "store_bytes": 1000 * (200 if name == "warm" else 40000),
            "edits_found": 9 if name == "edit" else 0,
        }
        for name, value in seconds.items()
    }


def test_whole_process_ratios_with_a_running_and_a_temporary_server() -> None:
    run = {
        "n": 1000,
        "baseline": combined_baseline(
            {"seconds": 42.0, "pages_per_s": 1000 / 42}, {"seconds": 38.0, "pages_per_s": 1000 / 38}, 1000
        ),
        "edits": 10,
        "unseen_edits": 1,
        "temporary_server": {"prefect_start": 9.0, "started_at": 12.0},
        "flow": {
            "prefect_start": 2.0,
            "peak_rss_mb": 300.0,
            "peak_workers_rss_mb": 150.0,
            "passes": passes(cold=28.0, warm=1.0, edit=7.0, startup=4.0),
        },
        "core": {"passes": passes(cold=28.0, warm=0.8, edit=7.0, startup=1.0)},
        "single_url_s": 2.4,
    }
    table = render_table([run])
    cold = next(line for line in table.splitlines() if line.strip().startswith("cold"))
    cells = [cell.strip() for cell in cold.split("|")]
    # 1000 pages in 4 + 28 s is 31.25 pages/s, 1.25x the baseline; in 12 + 28 s, 1.00x.
    assert cells[1:6] == ["28.0", "35.7", "31.2", "1.25", "1.00"]
    assert "25.0 pages/s (23.8 just before the flow passes, 26.3 just after)" in table
    assert "peak memory 450 MB (run process 300 MB + extraction workers 150 MB)" in table
    assert "4.0 s against a running Prefect server" in table and "12.0 s with a temporary server" in table
    edit = next(line for line in table.splitlines() if line.strip().startswith("edit"))
    assert edit.rstrip().endswith("9/10")
    warm = next(line for line in table.splitlines() if line.strip().startswith("warm "))
    assert [cell.strip() for cell in warm.split("|")][6] == "20%"  # 1 - 0.8 / 1.0


def test_the_first_flow_run_is_run_as_a_pass_is_without_prefects_own_heartbeat(prefect_server: None) -> None:
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    from bench.perf import first_flow_run

    # Prefect's default (180 s): its own heartbeat thread would run, and be joined at the end.
    with temporary_settings({PREFECT_FLOWS_HEARTBEAT_FREQUENCY: 180}):
        assert first_flow_run() is None


def test_the_measured_pass_process_meets_a_server_that_has_served_a_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from prefect import get_client
    from prefect.client.schemas.filters import FlowFilter, FlowFilterName
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from bench.perf import _prefect_api

    # A database of its own: the tests' PREFECT_HOME holds the runs of earlier sessions.
    database = tmp_path / "server.db"
    monkeypatch.setenv("PREFECT_SERVER_DATABASE_CONNECTION_URL", f"sqlite+aiosqlite:///{database}")
    # The server measure() starts for the flow passes, as the measured process finds it.
    with (
        _prefect_api(tmp_path, wanted=True) as api_env,
        temporary_settings({PREFECT_API_URL: api_env["PREFECT_API_URL"]}),
        get_client(sync_client=True) as client,
    ):
        runs = client.read_flow_runs(flow_filter=FlowFilter(name=FlowFilterName(any_=["bench-warm-up"])))
    assert [run.state.is_completed() for run in runs if run.state is not None] == [True]

"""`add --every`, `list` with next checks, `check` without URLs: the due watches, most overdue first."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from articlewatch.cli import app
from articlewatch.demo.articles import DemoArticle
from articlewatch.demo.newsroom import Newsroom
from articlewatch.schedule import parse_time
from articlewatch.store import SnapshotStore

runner = CliRunner()


def cli(store_dir: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["--store", str(store_dir), *args])
    return result.exit_code, result.output


def listed(store_dir: Path) -> dict[str, dict[str, object]]:
    code, output = cli(store_dir, "list", "--json")
    assert code == 0, output
    return {record["url"]: record for record in map(json.loads, output.splitlines())}


def test_add_every_is_stored_shown_and_cleared(store_dir: Path) -> None:
    code, output = cli(store_dir, "add", "https://news.example/a", "--every", "90m")
    assert code == 0 and "watching https://news.example/a, every 1h30m" in output
    assert listed(store_dir)["https://news.example/a"]["every_seconds"] == 5400.0
    code, _ = cli(store_dir, "add", "https://news.example/a", "--every", "auto")
    assert code == 0 and listed(store_dir)["https://news.example/a"]["every_seconds"] is None


def test_add_every_refuses_a_bad_interval(store_dir: Path) -> None:
    code, output = cli(store_dir, "add", "https://news.example/a", "--every", "often")
    assert code == 2 and "not a duration" in output


def test_list_shows_when_each_watch_is_due(store_dir: Path) -> None:
    with SnapshotStore(store_dir) as store:
        store.add_watch("https://news.example/fresh", "2026-01-01T00:00:00Z")
        store.add_watch("https://news.example/hourly", "2026-01-01T00:00:00Z")
        store.set_check_interval("https://news.example/hourly", 3600)
        store.record_check("https://news.example/hourly", "2099-01-01T00:00:00Z", "unchanged", None)
        store.add_watch("https://news.example/old", "2020-01-01T00:00:00Z")
        store.record_check("https://news.example/old", "2021-01-01T00:00:00Z", "unchanged", None)
    records = listed(store_dir)
    assert records["https://news.example/fresh"]["next_check"] == "2026-01-01T00:00:00Z"
    hourly = records["https://news.example/hourly"]
    assert hourly["interval_seconds"] == 3600.0
    assert (
        abs((parse_time(str(hourly["next_check"])) - parse_time("2099-01-01T01:00:00Z")).total_seconds())
        <= 360
    )
    assert records["https://news.example/old"]["next_check"] is None
    assert str(records["https://news.example/old"]["schedule"]).startswith("stopped")

    code, output = cli(store_dir, "list")
    assert code == 0
    lines = {line.split()[0]: line for line in output.splitlines()}
    assert "due now (never checked" in lines["https://news.example/fresh"]
    assert (
        "next check in" in lines["https://news.example/hourly"]
        and "every 1h (watch)" in lines["https://news.example/hourly"]
    )
    assert "stopped: no change for over 365d" in lines["https://news.example/old"]


@pytest.mark.usefixtures("prefect_server")
def test_check_without_urls_takes_the_due_watches_most_overdue_first(
    store_dir: Path, newsroom: Newsroom, seeds: dict[str, DemoArticle]
) -> None:
    urls = newsroom.publish(seeds)
    with SnapshotStore(store_dir) as store:
        store.add_watch(urls["rt"], "2026-01-01T00:00:00Z")
        store.add_watch(urls["cnbc"], "2025-06-01T00:00:00Z")  # never checked, due longest
        store.add_watch(urls["ukpaper"], "2026-01-01T00:00:00Z")
        store.set_check_interval(urls["ukpaper"], 3600)
        store.record_check(urls["ukpaper"], "2099-01-01T00:00:00Z", "unchanged", None)  # not due
    code, output = cli(store_dir, "check", "--json")
    assert code == 0, output
    assert [json.loads(line)["url"] for line in output.splitlines()] == [urls["cnbc"], urls["rt"]]
    code, output = cli(store_dir, "check")
    assert code == 0 and "nothing due" in output  # both are quiet 2018 articles now checked

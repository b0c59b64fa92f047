"""The CLI contract: commands, `check --json` records, exit codes, rendered diffs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from typer.testing import CliRunner

from articlewatch.cli import app
from articlewatch.demo.articles import DemoArticle, later_versions
from articlewatch.demo.newsroom import Newsroom

RECORD_KEYS = ["url", "outcome", "version", "significant", "changes", "snapshot", "error"]
runner = CliRunner()


def cli(store_dir: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["--store", str(store_dir), *args])
    return result.exit_code, result.stdout


def test_every_command_has_help() -> None:
    commands = (
        "add",
        "remove",
        "list",
        "check",
        "history",
        "diff",
        "report",
        "reindex",
        "verify",
        "demo",
        "serve",
    )
    for command in commands:
        result = runner.invoke(app, [command, "--help"])
        assert result.exit_code == 0 and "Usage" in result.stdout


def test_usage_errors_exit_2(store_dir: Path) -> None:
    assert runner.invoke(app, ["--store", str(store_dir), "add", "not a url"]).exit_code == 2
    assert (
        runner.invoke(
            app, ["--store", str(store_dir), "diff", "https://a.example/x", "--format", "pdf"]
        ).exit_code
        == 2
    )
    assert runner.invoke(app, ["no-such-command"]).exit_code == 2


def test_watchlist_add_list_remove(store_dir: Path) -> None:
    url = "https://news.example.com/a"
    assert cli(store_dir, "add", url)[0] == 0
    code, output = cli(store_dir, "list", "--json")
    assert code == 0 and json.loads(output)["url"] == url
    assert cli(store_dir, "remove", url)[0] == 0
    assert cli(store_dir, "list", "--json")[1] == ""
    assert cli(store_dir, "remove", url)[0] == 1


def test_store_comes_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARTICLEWATCH_STORE", str(tmp_path / "env-store"))
    assert runner.invoke(app, ["add", "https://news.example.com/a"]).exit_code == 0
    assert (tmp_path / "env-store" / "index.sqlite3").is_file()


def test_check_json_contract_and_exit_codes(
    prefect_server: None, newsroom: Newsroom, seeds: dict[str, DemoArticle], store_dir: Path
) -> None:
    urls = newsroom.publish(seeds)
    code, output = cli(store_dir, "check", "--json", *urls.values())
    records = [json.loads(line) for line in output.splitlines()]
    assert code == 0
    assert [list(r) for r in records] == [RECORD_KEYS] * 4
    assert [r["url"] for r in records] == list(urls.values())
    assert {r["outcome"] for r in records} == {"new"}

    newsroom.publish(later_versions(seeds))
    missing = newsroom.url("/gone-before-we-came")
    code, output = cli(store_dir, "check", "--json", *urls.values(), missing)
    records = {r["url"]: r for r in map(json.loads, output.splitlines())}
    assert code == 1, "an error record must make the exit code 1"
    assert records[missing]["outcome"] == "error" and "404" in records[missing]["error"]
    assert records[urls["yenisafak"]]["changes"] == [
        {"kind": "updated", "before": None, "after": "2018-08-07T17:48"}
    ]
    assert records[urls["rt"]]["outcome"] == "unchanged"

    # Without URLs: the due watches; everything was just checked, --all checks anyway.
    assert cli(store_dir, "check", "--json")[1] == ""
    code, output = cli(store_dir, "check", "--all", "--json")
    assert len(output.splitlines()) == 5

    code, output = cli(store_dir, "history", urls["ukpaper"])
    assert code == 0 and "v1" in output and "v2" in output and "headline" in output
    code, output = cli(store_dir, "history", "--json", urls["cnbc"])
    assert "paragraph_added" in json.loads(output.splitlines()[1])["kinds"]

    code, output = cli(store_dir, "diff", urls["cnbc"], "--format", "json")
    assert code == 0 and json.loads(output)["to_version"] == 2
    code, output = cli(store_dir, "diff", urls["ukpaper"], "--format", "markdown")
    assert code == 0 and "headline" in output
    code, output = cli(store_dir, "diff", urls["cnbc"], "--format", "text")
    assert code == 0 and "98-0" in output
    code, output = cli(store_dir, "diff", urls["yenisafak"], "--format", "html")
    HTMLParser().feed(output)
    assert code == 0 and "2018-08-07T17:48" in output and output.startswith("<!DOCTYPE html>")
    assert cli(store_dir, "diff", urls["rt"])[0] == 1  # only one version: nothing to compare

    (store_dir / "index.sqlite3").unlink()
    code, output = cli(store_dir, "reindex")
    assert code == 0 and "indexed 7 version(s)" in output
    assert json.loads(cli(store_dir, "history", "--json", urls["cnbc"])[1].splitlines()[1])["version"] == 2


def test_check_json_in_a_separate_process(
    prefect_server: None, newsroom: Newsroom, seeds: dict[str, DemoArticle], store_dir: Path
) -> None:
    from prefect.settings import PREFECT_API_URL

    url = newsroom.publish({"rt": seeds["rt"]})["rt"]
    env = {**os.environ, "PREFECT_API_URL": str(PREFECT_API_URL.value())}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "articlewatch.cli",
            "--store",
            str(store_dir),
            "check",
            "--json",
            url,
            "gopher://x",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    lines = done.stdout.splitlines()
    assert done.returncode == 1, done.stderr
    assert [json.loads(line)["outcome"] for line in lines] == ["new", "error"]

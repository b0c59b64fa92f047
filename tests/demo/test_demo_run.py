"""`articlewatch demo` end to end: the story it tells and the report it writes."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

from typer.testing import CliRunner

from articlewatch.cli import app


def test_demo_reports_the_three_edits_and_not_the_furniture(prefect_server: None, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["--store", str(tmp_path), "demo"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    second = lines[lines.index(next(line for line in lines if "Second check" in line)) :]
    assert any(line.startswith("unchanged RT International") for line in second)
    assert any(line.startswith("changed   Yeni Şafak") for line in second)
    assert "update stamp set to “2018-08-07T17:48”; text unchanged" in result.stdout
    assert "98-0" in result.stdout
    assert "Trump backs down on Putin's 'incredible offer'" in result.stdout
    report = tmp_path / "demo" / "reports" / "demo-changes.html"
    html = report.read_text(encoding="utf-8")
    HTMLParser().feed(html)
    assert html.count('<section class="article"') == 3 and html.count("<svg") == 3
    alerts = lines[lines.index(next(line for line in lines if line.startswith("Alerts"))) :]
    assert sum("Changed: " in line for line in alerts) == 3, "one alert per significant change"
    assert "<script" not in html and "http://" not in html.split("<body>")[0]

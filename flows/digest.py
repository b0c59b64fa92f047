"""The daily_digest flow: the day's report as an HTML file in the store, and pending alerts as one digest.

Thin wiring over articlewatch.report (what changed in the period), articlewatch.render (the
page) and articlewatch.notify (the outbox, delivered as one message per channel).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact

from articlewatch.config import load_settings
from articlewatch.fetch import utc_now
from articlewatch.render.html import render_report_html
from articlewatch.report import Report, build_report, parse_since
from articlewatch.store import SnapshotStore
from flows.alerting import alert_channels, deliver_alerts
from flows.check import TASK_OPTIONS

REPORTS_DIR = "reports"
ARTIFACT_KEY = "articlewatch-daily-report"
# The artifact is a summary for the Prefect UI; the whole report, diffs included, is the HTML file.
ARTIFACT_ROWS = 50


@task(name="write-report", **TASK_OPTIONS)
def write_report_task(store: SnapshotStore, since: str | None, day: str) -> dict[str, Any]:
    """Build the report of the period and write it as reports/daily-<day>.html under the store."""
    report = build_report(store, since, utc_now())
    relative = f"{REPORTS_DIR}/daily-{day}.html"
    # Atomic (temp file + rename, or one object put): readers see yesterday's whole report or today's.
    html = render_report_html(report, title=f"articlewatch: what changed ({day})")
    store.blobs.write(relative, html.encode("utf-8"))
    location = store.file_location(relative)  # a local path, or a URL on shared storage
    summary = _summary_markdown(report, location)
    create_markdown_artifact(summary, key=ARTIFACT_KEY, description=f"Report, {day}")
    return {
        "report": location,
        "articles": len(report.articles),
        "changes": report.change_count,
        "problems": list(report.problems),
    }


@flow(name="daily-digest", log_prints=False)
def daily_digest(store: str | None = None, since: str = "24h") -> dict[str, Any]:
    """Write the report of the period (`since`: 24h, 7d, a date, all); send owed alerts as one digest each.

    Channels in `digest_notify` get only this: all the day's alerts in one message. Channels in
    `notify` already got each alert from its check run; here they get only what is still owed.
    """
    logger = get_run_logger()
    settings = load_settings(store)
    now = datetime.now(UTC)
    start = parse_since(since, now)
    with SnapshotStore(settings.store, settings.index) as snapshot_store:
        summary = write_report_task(snapshot_store, start, now.strftime("%Y-%m-%d"))
        for problem in summary["problems"]:
            logger.warning("left out of the report: %s", problem)
        logger.info(
            "%d changed article(s), %d change(s): %s",
            summary["articles"],
            summary["changes"],
            summary["report"],
        )
        # Digest-only channels get the day's alerts as one message; the others get what is still owed.
        channels = alert_channels(settings.digest_notify, None) + alert_channels(settings.notify, None)
        unique = tuple({channel.id: channel for channel in channels}.values())
        deliver_alerts(snapshot_store, unique, True, logger)
    return summary


def _summary_markdown(report: Report, path: str) -> str:
    lines = [
        f"**{len(report.articles)} changed article(s), {report.change_count} change(s)**: `{path}`",
        "",
        "| article | changes | kinds |",
        "| --- | --- | --- |",
    ]
    for article in report.articles[:ARTIFACT_ROWS]:
        name = (article.headline or article.url).replace("|", "\\|")
        lines.append(f"| [{name}]({article.url}) | {len(article.changes)} | {', '.join(article.kinds)} |")
    if len(report.articles) > ARTIFACT_ROWS:
        lines.append(f"| ... and {len(report.articles) - ARTIFACT_ROWS} more (see the report) | | |")
    return "\n".join(lines) + "\n"

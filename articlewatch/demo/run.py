"""`articlewatch demo`: a local newsroom publishes four articles, edits three, and articlewatch reports it."""

from __future__ import annotations

import shutil
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from ..changes import change_between
from ..errors import StoreError
from ..fetch import utc_now
from ..render.html import render_report_html
from ..render.text import change_text
from ..report import build_report
from ..store import INDEX_FILE, SnapshotStore
from .articles import later_versions, seed_articles
from .inbox import AlertInbox
from .newsroom import Newsroom


def run_demo(store_dir: Path, console: Console) -> Path:
    """Run the whole demo against a fresh store in store_dir; return the path of the HTML report."""
    _reset(store_dir)
    from ..cli import describe_record, run_check

    first = seed_articles()
    with Newsroom() as newsroom, AlertInbox() as inbox:
        notify = [inbox.apprise_url]  # a local webhook stands for Slack, mail, ntfy, ...
        urls = newsroom.publish(first)
        console.print(f"[bold]Local newsroom[/bold] on {newsroom.base_url} publishes {len(urls)} articles.")
        console.print(f"Store: {store_dir}\n\n[bold]First check[/bold] (the articles as first published):")
        labels = {url: first[slug].site for slug, url in urls.items()}
        for record in run_check(list(urls.values()), str(store_dir), False, notify):
            console.print(describe_record(record, labels[record["url"]]))

        newsroom.publish(later_versions(first))
        console.print("\n[bold]The newsroom publishes later versions.[/bold] Second check:")
        records = run_check(list(urls.values()), str(store_dir), False, notify)
        for record in records:
            console.print(describe_record(record, labels[record["url"]]))
        console.print(f"\n[bold]Alerts[/bold] posted to a local webhook ({inbox.apprise_url}):")
        for alert in inbox.received:
            console.print(f"  {escape(alert['title'])}  [dim]{alert['alert_id']}[/dim]")

    changes = []
    with SnapshotStore(store_dir) as store:
        for record in records:
            if record["outcome"] == "changed":
                changes.append(change_between(store, record["url"]))
        built = build_report(store, None, utc_now())
    for change in changes:
        console.print()
        console.print(change_text(change))
    report = store_dir / "reports" / "demo-changes.html"
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text(
        render_report_html(built, title="articlewatch demo: what the newsroom changed"), encoding="utf-8"
    )
    return report


def _reset(store_dir: Path) -> None:
    # Only ever delete a directory that is an earlier demo store (or empty).
    if store_dir.exists():
        if not (store_dir / INDEX_FILE).exists() and any(store_dir.iterdir()):
            raise StoreError(f"{store_dir}: exists and is not a demo store; not touching it")
        shutil.rmtree(store_dir)
    store_dir.mkdir(parents=True)

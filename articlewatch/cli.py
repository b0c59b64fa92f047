"""The `articlewatch` command: typer app; maps errors to one-line messages and exit codes.

Exit codes: 0 every URL checked, 1 some URL ended in error (or a command failed), 2 usage error.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

from .changes import change_between, history
from .config import Settings, load_settings
from .errors import ArticlewatchError, FetchError, one_line
from .fetch import utc_now
from .models import Change, ChangeItem
from .render import summarize
from .store import SnapshotStore
from .urls import normalize_url

app = typer.Typer(
    name="articlewatch",
    help="Track how online news articles change after they are published.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


class _State:
    store: str | None = None


_state = _State()


@app.callback()
def main_options(
    store: Annotated[
        str | None,
        typer.Option(
            "--store", help="Snapshot store directory [default: $ARTICLEWATCH_STORE or ./snapshots]"
        ),
    ] = None,
) -> None:
    """Track how online news articles change after they are published."""
    _state.store = store


def _settings() -> Settings:
    return load_settings(_state.store)


def _open_store() -> SnapshotStore:
    return SnapshotStore(_settings().store)


def _fail(error: BaseException) -> typer.Exit:
    err.print(f"[red]error:[/red] {one_line(error)}", markup=True, highlight=False)
    return typer.Exit(1)


def _valid_url(url: str) -> str:
    try:
        normalize_url(url)
    except FetchError as exc:
        raise typer.BadParameter(one_line(exc)) from None
    return url


@app.command()
def add(urls: Annotated[list[str], typer.Argument(help="Article URLs to watch.")]) -> None:
    """Add article URLs to the watchlist."""
    checked = [_valid_url(url) for url in urls]
    try:
        with _open_store() as store:
            for url in checked:
                store.add_watch(url, utc_now())
                out.print(f"watching {url}")
    except ArticlewatchError as exc:
        raise _fail(exc) from None


@app.command()
def remove(url: Annotated[str, typer.Argument(help="A watched URL.")]) -> None:
    """Stop watching a URL (its snapshots are kept)."""
    try:
        with _open_store() as store:
            removed = store.remove_watch(url)
    except ArticlewatchError as exc:
        raise _fail(exc) from None
    if not removed:
        err.print(f"error: {url}: not in the watchlist")
        raise typer.Exit(1)
    out.print(f"removed {url}")


@app.command("list")
def list_watches(as_json: Annotated[bool, typer.Option("--json", help="JSON Lines output.")] = False) -> None:
    """Show the watchlist with each watch's last check and number of versions."""
    try:
        with _open_store() as store:
            watches = store.watches()
    except ArticlewatchError as exc:
        raise _fail(exc) from None
    for watch in watches:
        if as_json:
            record = {
                "url": watch.url,
                "added_at": watch.added_at,
                "last_checked": watch.last_checked,
                "last_outcome": watch.last_outcome,
                "versions": watch.versions,
            }
            print(json.dumps(record, ensure_ascii=False))
        else:
            last = f"{watch.last_outcome} at {watch.last_checked}" if watch.last_checked else "never checked"
            out.print(f"{watch.url}  [dim]{watch.versions} version(s), {last}[/dim]")
    if not watches and not as_json:
        out.print("the watchlist is empty: add URLs with `articlewatch add URL`")


def run_check(urls: list[str] | None, store: str, check_all: bool) -> list[dict[str, Any]]:
    """Run the check_articles Prefect flow in this process and return its records."""
    from .prefect_env import configure_prefect_environment

    configure_prefect_environment()
    from flows.check import bounded_runner, check_articles

    settings = load_settings(store)
    flow = check_articles.with_options(task_runner=bounded_runner(settings.concurrency))
    return flow(urls=urls or None, store=store, check_all=check_all)


@app.command()
def check(
    urls: Annotated[list[str] | None, typer.Argument(help="URLs to check (added to the watchlist).")] = None,
    check_all: Annotated[bool, typer.Option("--all", help="Check every watch, due or not.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="JSON Lines, one object per URL.")] = False,
) -> None:
    """Check URLs now; without URLs, every watch that is due."""
    try:
        settings = _settings()
        records = run_check(urls, str(settings.store), check_all)
    except ArticlewatchError as exc:
        raise _fail(exc) from None
    for record in records:
        if as_json:
            print(json.dumps(record, ensure_ascii=False), flush=True)
        else:
            out.print(describe_record(record))
    if not records and not as_json:
        out.print("nothing due: every watch was checked recently (use --all to check anyway)")
    if any(record["outcome"] == "error" for record in records):
        raise typer.Exit(1)


def describe_record(record: dict[str, Any], label: str | None = None) -> str:
    """One readable line (or two) for a check record; `label` names the article instead of its URL."""
    outcome = record["outcome"]
    color = {"new": "blue", "unchanged": "dim", "changed": "yellow", "gone": "magenta", "error": "red"}
    head = f"[{color[outcome]}]{outcome:<9}[/{color[outcome]}] {escape(label or record['url'])}"
    if outcome == "error":
        return f"{head}\n          {escape(record['error'])}"
    if outcome == "changed":
        items = tuple(ChangeItem(c["kind"], c["before"], c["after"]) for c in record["changes"])
        change = Change(url=record["url"], from_version=None, to_version=record["version"] or 0, items=items)
        marker = "significant" if record["significant"] else "not significant"
        return f"{head} (version {record['version']}, {marker})\n          {escape(summarize(change))}"
    return f"{head} (version {record['version']})" if record["version"] else head


@app.command("history")
def show_history(
    url: Annotated[str, typer.Argument(help="A watched URL.")],
    as_json: Annotated[bool, typer.Option("--json", help="JSON Lines output.")] = False,
) -> None:
    """List the stored versions of an article, with dates and a one-line summary each."""
    try:
        with _open_store() as store:
            entries = history(store, url)
    except ArticlewatchError as exc:
        raise _fail(exc) from None
    if not entries:
        err.print(f"error: {url}: no stored versions (check it first)")
        raise typer.Exit(1)
    for entry in entries:
        summary = "first version" if entry.change is None else summarize(entry.change)
        if as_json:
            kinds = list(entry.change.kinds) if entry.change else []
            record = {
                "version": entry.version,
                "fetched_at": entry.fetched_at,
                "title": entry.title,
                "kinds": kinds,
                "summary": summary,
            }
            print(json.dumps(record, ensure_ascii=False))
        else:
            out.print(f"v{entry.version:<3} {entry.fetched_at}  {summary}")


@app.command()
def diff(
    url: Annotated[str, typer.Argument(help="A watched URL.")],
    from_version: Annotated[
        int | None, typer.Option("--from", help="Older version [default: the one before --to].")
    ] = None,
    to_version: Annotated[int | None, typer.Option("--to", help="Newer version [default: latest].")] = None,
    output_format: Annotated[str, typer.Option("--format", help="text | markdown | html | json")] = "text",
) -> None:
    """Show one change of an article (the latest by default)."""
    if output_format not in ("text", "markdown", "html", "json"):
        raise typer.BadParameter("must be one of text, markdown, html, json", param_hint="--format")
    try:
        with _open_store() as store:
            change = change_between(store, url, from_version, to_version)
    except ArticlewatchError as exc:
        raise _fail(exc) from None
    sys.stdout.write(render_change(change, output_format, color=sys.stdout.isatty()))


def render_change(change: Change, output_format: str, color: bool = False) -> str:
    """One change in the chosen output format."""
    if output_format == "json":
        from .render.json import change_document

        return json.dumps(change_document(change), ensure_ascii=False, indent=2) + "\n"
    if output_format == "markdown":
        from .render.markdown import render_markdown

        return render_markdown(change)
    if output_format == "html":
        from .render.html import render_html

        return render_html([change], title=f"Changes: {change.title or change.url}", generated_at=utc_now())
    from .render.text import render_text

    return render_text(change, color=color)


@app.command()
def reindex() -> None:
    """Rebuild the index (watchlist and versions) from the snapshot files in the store."""
    try:
        with _open_store() as store:
            count = store.rebuild_index()
    except ArticlewatchError as exc:
        raise _fail(exc) from None
    out.print(f"indexed {count} version(s) from {_settings().store}")


@app.command()
def demo() -> None:
    """Run the demo: a local newsroom publishes four articles, then edits them; articlewatch catches it."""
    from .demo.run import run_demo

    try:
        report = run_demo(Path(_settings().store) / "demo", out)
    except ArticlewatchError as exc:
        raise _fail(exc) from None
    out.print(f"\nHTML report: {report}")


@app.command()
def serve() -> None:
    """Run the scheduled deployments in this process (Prefect serve) until interrupted."""
    from .prefect_env import configure_prefect_environment

    configure_prefect_environment()
    from flows.serve import serve_deployments

    try:
        serve_deployments(str(_settings().store))
    except ArticlewatchError as exc:
        raise _fail(exc) from None


def main() -> None:
    """Entry point of the `articlewatch` console script."""
    app()


if __name__ == "__main__":
    main()

"""The `articlewatch` command: typer app; maps errors to one-line messages and exit codes.

Exit codes: 0 every URL checked, 1 some URL ended in error (or a command failed), 2 usage error.
"""

from __future__ import annotations

import atexit
import dataclasses
import json
import os
import sys
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape

from .changes import change_between, history
from .config import Settings, load_settings, parse_duration
from .errors import ArticlewatchError, ConfigError, FetchError, one_line
from .fetch import make_client, utc_now
from .models import Change, ChangeItem
from .redact import redact_url
from .render import summarize
from .report import DEFAULT_SINCE
from .schedule import NextCheck, format_duration, format_time, next_check, parse_time
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
            "--store",
            help="Snapshot store: a directory, or an fsspec URL such as s3://bucket/prefix "
            "[default: $ARTICLEWATCH_STORE or ./snapshots]",
        ),
    ] = None,
) -> None:
    """Track how online news articles change after they are published."""
    _state.store = store


def _settings() -> Settings:
    return load_settings(_state.store)


def _open_store() -> SnapshotStore:
    settings = _settings()
    return SnapshotStore(settings.store, settings.index)


def _fail(error: BaseException) -> typer.Exit:
    err.print(f"[red]error:[/red] {escape(one_line(error))}", markup=True, highlight=False)
    return typer.Exit(1)


def _valid_url(url: str) -> str:
    try:
        normalize_url(url)
    except FetchError as exc:
        raise typer.BadParameter(one_line(exc)) from None
    return url


def _check_interval(value: str | None) -> float | None:
    """Seconds from `--every` ("1h", "90m"); None for "auto" (the adaptive schedule)."""
    if value is None or value.strip().lower() == "auto":
        return None
    try:
        return parse_duration(value, "interval")
    except ConfigError as exc:
        raise typer.BadParameter(one_line(exc), param_hint="--every") from None


@app.command()
def add(
    urls: Annotated[list[str], typer.Argument(help="Article URLs to watch.")],
    every: Annotated[
        str | None,
        typer.Option(
            "--every",
            help="Check these URLs at this fixed interval (90m, 1h, 2d) instead of the adaptive "
            "schedule; `auto` goes back to the schedule. Also changes URLs already watched.",
        ),
    ] = None,
) -> None:
    """Add article URLs to the watchlist."""
    checked = [_valid_url(url) for url in urls]
    interval = _check_interval(every)
    try:
        with _open_store() as store:
            for url in checked:
                store.add_watch(url, utc_now())
                if every is not None:
                    store.set_check_interval(url, interval)
                how = f", every {format_duration(interval)}" if interval else ""
                out.print(f"watching {url}{how}")
    except ArticlewatchError as exc:
        raise _fail(exc) from None


@app.command()
def remove(url: Annotated[str, typer.Argument(help="A watched URL.")]) -> None:
    """Stop watching a URL (its snapshots are kept)."""
    _forget(url, SnapshotStore.remove_watch, "not in the watchlist", "removed")


def _forget(url: str, remove: Callable[[SnapshotStore, str], bool], missing: str, done: str) -> None:
    """Remove a watch or a source; exit 1 naming the URL when there was none."""
    try:
        with _open_store() as store:
            removed = remove(store, url)
    except ArticlewatchError as exc:
        raise _fail(exc) from None
    if not removed:
        err.print(f"error: {escape(redact_url(url))}: {missing}")
        raise typer.Exit(1)
    out.print(f"{done} {escape(redact_url(url))}")


@app.command("list")
def list_watches(as_json: Annotated[bool, typer.Option("--json", help="JSON Lines output.")] = False) -> None:
    """Show the watchlist with each watch's last check, number of versions and next check."""
    try:
        settings = _settings()
        with _open_store() as store:
            watches = store.watches()
            discovered = {watch.url: store.discovery(watch.url) for watch in watches} if as_json else {}
    except ArticlewatchError as exc:
        raise _fail(exc) from None
    policy = settings.schedule_policy()
    now = parse_time(utc_now())
    for watch in watches:
        upcoming = next_check(watch, policy, now)
        if as_json:
            first_seen, source = discovered.get(watch.url) or (None, None)
            record = {
                "url": redact_url(watch.url),
                "added_at": watch.added_at,
                "last_checked": watch.last_checked,
                "last_outcome": watch.last_outcome,
                "versions": watch.versions,
                "next_check": format_time(upcoming.at) if upcoming.at else None,
                "interval_seconds": upcoming.every,
                "every_seconds": watch.every_seconds,
                "schedule": upcoming.reason,
                # Where discovery first saw it (null for URLs added by hand).
                "first_seen": first_seen,
                "source": redact_url(source) if source else None,
            }
            print(json.dumps(record, ensure_ascii=False))
        else:
            last = f"{watch.last_outcome} at {watch.last_checked}" if watch.last_checked else "never checked"
            out.print(
                f"{escape(redact_url(watch.url))}  [dim]{watch.versions} version(s), {last}; "
                f"{escape(describe_next_check(upcoming, now))}[/dim]"
            )
    if not watches and not as_json:
        out.print("the watchlist is empty: add URLs with `articlewatch add URL`")


def describe_next_check(upcoming: NextCheck, now: datetime) -> str:
    """ "next check in 12m (every 15m, ...)", "due now", or why a watch is no longer checked."""
    if upcoming.at is None:
        return f"{upcoming.reason} (`add --every` keeps checking it)"
    if upcoming.at <= now:
        return f"due now ({upcoming.reason}, overdue {format_duration((now - upcoming.at).total_seconds())})"
    wait = format_duration((upcoming.at - now).total_seconds())
    return f"next check in {wait} at {format_time(upcoming.at)} ({upcoming.reason})"


def run_check(
    urls: list[str] | None,
    store: str,
    check_all: bool,
    notify: list[str] | None = None,
    notify_new: bool | None = None,
    digest: bool | None = None,
    shard: str | None = None,
) -> list[dict[str, Any]]:
    """Run the check_articles Prefect flow in this process and return its records."""
    from . import batch
    from .prefect_env import configure_prefect_environment

    if check_all or len(urls or ()) >= batch.POOL_MIN_PAGES:
        # Many pages to extract: the workers start while Prefect does (its temporary server
        # takes seconds), not after the first batch is fetched.
        batch.start_extraction_pool()

    configure_prefect_environment()
    from pydantic import SecretStr

    from flows.check import run_check_articles

    return run_check_articles(
        # A check of URLs named on the command line is short, and watched by the person who
        # ran it: no heartbeat. Runs of the due watches (long, often unattended) keep it.
        heartbeat=not urls,
        urls=urls or None,
        store=store,
        check_all=check_all,
        # SecretStr: the flow run's parameters, which Prefect stores, show them masked.
        notify=[SecretStr(url) for url in notify] if notify else None,
        notify_new=notify_new,
        digest=digest,
        shard=shard,
    )


@app.command()
def check(
    urls: Annotated[list[str] | None, typer.Argument(help="URLs to check (added to the watchlist).")] = None,
    check_all: Annotated[bool, typer.Option("--all", help="Check every watch, due or not.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="JSON Lines, one object per URL.")] = False,
    notify: Annotated[
        list[str] | None,
        typer.Option(
            "--notify",
            metavar="URL",
            help="Send alerts to this Apprise URL too (repeatable; adds to the configured channels).",
        ),
    ] = None,
    notify_new: Annotated[
        bool | None,
        typer.Option(
            "--notify-new/--no-notify-new", help="Alert on first sightings too (default: setting notify_new)."
        ),
    ] = None,
    digest: Annotated[
        bool | None,
        typer.Option(
            "--digest/--no-digest", help="One message per channel and run (default: setting notify_digest)."
        ),
    ] = None,
    shard: Annotated[
        str | None,
        typer.Option(
            "--shard",
            metavar="I/K",
            help="Check only the watches of shard I of K (whole hosts per shard; README: Scaling out).",
        ),
    ] = None,
) -> None:
    """Check URLs now; without URLs, every watch that is due. Significant changes alert the channels."""
    from .notify import make_channel, run_channels
    from .shards import parse_shard

    if shard is not None:
        try:
            parse_shard(shard)
        except ConfigError as exc:
            raise typer.BadParameter(one_line(exc), param_hint="--shard") from None
        if urls:
            raise typer.BadParameter(
                "a shard checks the due (or --all) watches of its hosts, not URLs", param_hint="--shard"
            )

    for number, url in enumerate(notify or [], start=1):
        try:
            make_channel(url, f"--notify {number}")
        except ConfigError as exc:
            raise typer.BadParameter(one_line(exc), param_hint="--notify") from None
    try:
        settings = _settings()
        channels = run_channels(settings.notify, notify or [])
        before = _outbox_counts(settings, channels)
        records = run_check(urls, str(settings.store), check_all, notify, notify_new, digest, shard)
        after = _outbox_counts(settings, channels)
    except ArticlewatchError as exc:
        raise _fail(exc) from None
    for record in records:
        if as_json:
            print(json.dumps(record, ensure_ascii=False), flush=True)
        else:
            out.print(describe_record(record))
    if not records and not as_json:
        out.print("nothing due: every watch was checked recently (use --all to check anyway)")
    _report_alerts(channels, before, after, as_json)
    if any(record["outcome"] == "error" for record in records):
        raise typer.Exit(1)


def _outbox_counts(settings: Settings, channels: tuple[Any, ...]) -> dict[str, Any]:
    if not channels:
        return {}
    from .outbox import Outbox

    with SnapshotStore(settings.store, settings.index) as store:
        outbox = Outbox(store)
        return {channel.id: outbox.state(channel.id) for channel in channels}


def _report_alerts(
    channels: tuple[Any, ...], before: dict[str, Any], after: dict[str, Any], as_json: bool
) -> None:
    """Per channel (by its masked label): alerts sent by this run; on stderr, what still waits and why."""
    for channel in channels:
        sent = after[channel.id].delivered - before[channel.id].delivered
        pending, error = after[channel.id].pending, after[channel.id].last_error
        if sent and not as_json:
            out.print(f"alerts    {escape(channel.label)}: {sent} sent")
        if pending:
            why = f" (last error: {escape(error)})" if error else ""
            err.print(f"[yellow]warning:[/yellow] {escape(channel.label)}: {pending} alert(s) pending{why}")


def describe_record(record: dict[str, Any], label: str | None = None) -> str:
    """One readable line (or two) for a check record; `label` names the article instead of its URL."""
    outcome = record["outcome"]
    color = {
        "new": "blue",
        "unchanged": "dim",
        "changed": "yellow",
        "gone": "magenta",
        "restored": "cyan",
        "error": "red",
    }
    head = f"[{color[outcome]}]{outcome:<9}[/{color[outcome]}] {escape(label or record['url'])}"
    if outcome == "error":
        return f"{head}\n          {escape(record['error'])}"
    if outcome in ("changed", "restored") and record["changes"]:
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
            out.print(f"v{entry.version:<3} {entry.fetched_at}  {escape(summary)}")


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
def follow(
    url: Annotated[str, typer.Argument(help="A feed, sitemap, homepage or section page.")],
    every: Annotated[str, typer.Option("--every", help="How often to read it, e.g. 30m, 1h.")] = "30m",
    match: Annotated[
        str | None, typer.Option("--match", help="Regex that article links must match (section pages).")
    ] = None,
) -> None:
    """Follow a source: new articles it lists are watched from their first minutes."""
    from .discovery import detect_source

    _valid_url(url)
    try:
        every_seconds = parse_duration(every, "--every")
    except ConfigError as exc:
        raise typer.BadParameter(one_line(exc), param_hint="--every") from None
    try:
        settings = _settings()
        with make_client(settings.timeout, block_private=settings.block_private) as client:
            source = detect_source(url, client, match, every_seconds)
        with SnapshotStore(settings.store, settings.index) as store:
            store.add_source(source)
    except ArticlewatchError as exc:
        raise _fail(exc) from None
    via = f" via its feed {source.feed_url}" if source.feed_url else ""
    out.print(f"following {url} ({source.kind}{via}), read every {every}")


@app.command()
def unfollow(url: Annotated[str, typer.Argument(help="A followed source.")]) -> None:
    """Stop following a source (the articles found through it stay watched)."""
    _forget(url, SnapshotStore.remove_source, "not a followed source", "unfollowed")


@app.command("sources")
def list_sources(as_json: Annotated[bool, typer.Option("--json", help="JSON Lines output.")] = False) -> None:
    """Show the followed sources: kind, how often they are read, last read, articles found."""
    try:
        with _open_store() as store:
            sources = store.sources()
    except ArticlewatchError as exc:
        raise _fail(exc) from None
    for source in sources:
        if as_json:
            print(json.dumps(dataclasses.asdict(source), ensure_ascii=False))
            continue
        last = f"read {source.last_checked}" if source.last_checked else "never read"
        problem = f", [red]{escape(source.last_error)}[/red]" if source.last_error else ""
        out.print(f"{escape(source.url)}  [dim]{source.kind}, {source.found} found, {last}{problem}[/dim]")
    if not sources and not as_json:
        out.print("no sources: follow a feed, sitemap or section page with `articlewatch follow URL`")


@app.command()
def discover(
    read_all: Annotated[bool, typer.Option("--all", help="Read every source, due or not.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="JSON Lines, one object per source.")] = False,
) -> None:
    """Read the due sources once (the discover-articles flow) and watch the new articles."""
    from .prefect_env import configure_prefect_environment

    configure_prefect_environment()
    from flows.discover import discover_articles

    try:
        records = discover_articles(store=str(_settings().store), read_all=read_all)
    except ArticlewatchError as exc:
        raise _fail(exc) from None
    for record in records:
        if as_json:
            print(json.dumps(record, ensure_ascii=False), flush=True)
        elif record["error"]:
            source, error = escape(str(record["source"])), escape(str(record["error"]))
            out.print(f"[red]error[/red]     {source}\n          {error}")
        else:
            source = escape(str(record["source"]))
            out.print(f"{len(record['new']):>4} new  {source} ({record['found']} listed)")
            for url in record["new"]:
                out.print(f"          + {escape(url)}")
    if any(record["error"] for record in records):
        raise typer.Exit(1)


@app.command()
def report(
    since: Annotated[
        str,
        typer.Option("--since", help="Start of the period: 24h, 7d (back from now), a date, or all."),
    ] = DEFAULT_SINCE,
    output_format: Annotated[str, typer.Option("--format", help="html | markdown")] = "html",
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write to this file (default: standard output).")
    ] = None,
) -> None:
    """Every change in a period: an index of changed articles, each one's timeline, and each diff."""
    from datetime import UTC, datetime

    from .report import build_report, parse_since

    if output_format not in ("html", "markdown"):
        raise typer.BadParameter("must be one of html, markdown", param_hint="--format")
    try:
        start = parse_since(since, datetime.now(UTC))
    except ConfigError as exc:
        raise typer.BadParameter(one_line(exc), param_hint="--since") from None
    try:
        with _open_store() as store:
            built = build_report(store, start, utc_now())
    except ArticlewatchError as exc:
        raise _fail(exc) from None
    if output_format == "html":
        from .render.html import render_report_html

        page = render_report_html(built)
    else:
        from .render.markdown import render_report_markdown

        page = render_report_markdown(built)
    for problem in built.problems:
        err.print(f"[yellow]warning:[/yellow] left out: {escape(problem)}")
    if output is None:
        sys.stdout.write(page)
        return
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(page, encoding="utf-8")
    except OSError as exc:
        err.print(f"error: {output}: cannot write the report ({exc.strerror})")
        raise typer.Exit(1) from None
    out.print(f"{len(built.articles)} changed article(s), {built.change_count} change(s): {output}")


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
def verify(
    repair: Annotated[
        bool,
        typer.Option(
            "--repair",
            help="Move bad files to quarantine/, remove unfinished ones, rebuild the index from the rest.",
        ),
    ] = False,
) -> None:
    """Check every snapshot against its schema and the index against the files; one line per problem."""
    from .verify import repair_store, verify_store

    settings = _settings()
    root, index = settings.store, settings.index
    try:
        if repair:
            report = repair_store(root, index=index)
            for problem in report.problems:
                out.print(escape(problem.line()), highlight=False)
            for moved in report.quarantined:
                out.print(f"moved to {escape(moved)}")
            for removed in report.removed:
                out.print(f"removed {escape(removed)}")
            out.print(f"indexed {report.indexed} version(s)")
        problems = verify_store(root, index)
    except ArticlewatchError as exc:
        raise _fail(exc) from None
    for problem in problems:
        out.print(escape(problem.line()), highlight=False)
    if problems:
        out.print(f"{len(problems)} problem(s) in {escape(str(root))}")
        raise typer.Exit(1)
    out.print(f"{escape(str(root))}: every snapshot and the index are consistent")


@app.command()
def demo() -> None:
    """Run the demo: a local newsroom publishes four articles, then edits them; articlewatch catches it."""
    from .demo.run import run_demo

    try:
        store = _settings().store
        if not isinstance(store, Path):
            raise ConfigError(f"{redact_url(store)}: the demo needs a local --store directory, not a URL")
        report = run_demo(store / "demo", out)
    except ArticlewatchError as exc:
        raise _fail(exc) from None
    out.print(f"\nHTML report: {report}")


@app.command()
def serve() -> None:
    """Run the scheduled deployments (checks every 5 min, discovery hourly, a daily digest) until Ctrl-C.

    With PREFECT_API_URL set, they run against that Prefect server. Without it, a Prefect server
    is started on a free 127.0.0.1 port for as long as this runs (its database in
    $PREFECT_HOME, else in the store), and stopped on exit.
    """
    import os
    from contextlib import AbstractContextManager, nullcontext

    from .prefect_env import configure_prefect_environment

    try:
        settings = _settings()
        # Flow runs start in processes of their own: give them a path that does not depend on cwd.
        store = str(settings.store.resolve()) if isinstance(settings.store, Path) else settings.store
        server: AbstractContextManager[str]
        if os.environ.get("PREFECT_API_URL"):
            server = nullcontext(os.environ["PREFECT_API_URL"])
        else:
            from flows.local_server import local_prefect_server

            home = os.environ.get("PREFECT_HOME")
            if not home and not isinstance(settings.store, Path):
                raise ConfigError(
                    f"{redact_url(settings.store)}: a store on shared storage cannot hold the local Prefect "
                    "server's database: set PREFECT_API_URL (a server the workers share) or PREFECT_HOME"
                )
            err.print("starting a local Prefect server (the first start takes ~15 s) ...")
            server = local_prefect_server(Path(home) if home else Path(settings.store))
        with server as api_url:
            # Set before prefect is imported: its settings are read once, at import.
            os.environ["PREFECT_API_URL"] = api_url
            configure_prefect_environment()
            from flows.serve import serve_deployments

            err.print(f"serving the schedules on the Prefect API at {api_url} (Ctrl-C stops)")
            serve_deployments(store)
    except ArticlewatchError as exc:
        raise _fail(exc) from None


def main() -> None:
    """Entry point of the `articlewatch` console script."""
    try:
        app()
        status = 0
    except SystemExit as done:
        status = _exit_status(done.code)
    _end_process(status)


def _exit_status(code: object) -> int:
    if code is None or isinstance(code, int):
        return code or 0
    print(code, file=sys.stderr)  # what SystemExit("message") prints
    return 1


def _end_process(status: int) -> NoReturn:
    # Python's own teardown after a Prefect run (all its modules, models and event-loop threads)
    # takes most of a second: a quarter of a one-URL check. What must happen at exit still does,
    # in the interpreter's order: worker threads and process pools are waited for, then the
    # atexit handlers run (logging, Prefect's event and log drains); the heap is not torn down.
    threading._shutdown()  # type: ignore[attr-defined]  # CPython 3.11, which pyproject pins
    atexit._run_exitfuncs()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)


if __name__ == "__main__":
    main()

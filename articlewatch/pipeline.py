"""Check watched articles with the pieces of the core, as plain Python.

One check of one URL goes through four stages, each a function here so the Prefect flow can run
each as a task (and retry the fetch) while tests and the benchmark call them directly:

    fetch_stage -> extract_stage -> diff_stage -> store_stage      (record_failure on any error)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import nullcontext
from dataclasses import dataclass

import httpx

from .alerts import AlertPolicy, alert_id, status_alert, version_alert, wants_alert
from .boilerplate import site_furniture
from .diff import diff_articles, fingerprint, same_content
from .errors import ArticlewatchError, PageGoneError, one_line
from .extract import EXTRACTOR_INFO, extract_article
from .fetch import fetch_page, utc_now
from .health import check_collapse
from .identity import page_urls, settle_history
from .index_db import IndexConnection
from .models import REVERT, Article, ChangeItem, CheckResult, FetchResult, HttpInfo, Outcome, Snapshot
from .outbox import Outbox
from .politeness import HostGate
from .rebaseline import comparable
from .redact import redact_url
from .revalidate import Revalidator
from .robots import RobotsCache
from .schedule import SchedulePolicy, due_watches, parse_time
from .store import FetchMemo, SnapshotStore, UnchangedCheck, WatchState
from .urls import host_dir, normalize_url


@dataclass(frozen=True)
class Comparison:
    """What the diff stage decided: the outcome and, for a new version, its changes and fingerprint."""

    outcome: Outcome
    changes: tuple[ChangeItem, ...]
    fingerprint: str | None
    previous_version: int | None
    reverts_to: int | None = None  # the text flipped back to this earlier version
    furniture: frozenset[str] = frozenset()  # the site's repeated lines left out of the comparison


def fetch_stage(
    url: str,
    store: SnapshotStore,
    client: httpx.Client,
    *,
    gate: HostGate | None = None,
    robots: RobotsCache | None = None,
    memo: FetchMemo | None = None,
    revalidator: Revalidator | None = None,
) -> FetchResult:
    """Fetch a URL, conditionally when an earlier fetch left an ETag or Last-Modified.

    With a gate, the request waits for its host's turn; with robots, a URL robots.txt disallows
    raises RobotsDisallowedError before any request for the page is made. `memo`: the URL's
    fetch memo when the caller read it already (a batch reads all of its URLs' in one query).
    With a revalidator, the GET goes through it first (revalidate.py: a 304 or a plain 200 is
    taken from there), and only a page that answered otherwise is fetched with the client.
    """
    normalize_url(url)  # a malformed URL fails here, before any network use
    if robots is not None:
        robots.check(url)
    if memo is None:
        memo = store.fetch_memo(url)
    with gate.request(url) if gate is not None else nullcontext():
        plain = revalidator.fetch(url, memo) if revalidator is not None else None
        return plain or fetch_page(url, client, etag=memo.etag, last_modified=memo.last_modified)


def needs_extraction(fetched: FetchResult, store: SnapshotStore, memo: FetchMemo | None = None) -> bool:
    """False for a 304 or a page byte-identical to the last fetch: an unchanged page costs no extraction."""
    if fetched.not_modified:
        return False
    return fetched.raw_sha256 != (memo or store.fetch_memo(fetched.url)).raw_sha256


def extract_stage(fetched: FetchResult, store: SnapshotStore) -> Article | None:
    """The article of a fetched page, or None when the page is byte-identical to the last fetch."""
    if not needs_extraction(fetched, store):
        return None
    # The extractor echoes the URL it is given as the canonical URL of a page without one: it
    # gets the URL with its credentials redacted, so they never reach a snapshot.
    return extract_article(fetched.html, redact_url(fetched.final_url))


def diff_stage(url: str, article: Article | None, store: SnapshotStore) -> Comparison:
    """Compare an extracted article with the latest stored version of its article's history.

    UnhealthyPageError when the body collapsed against that (last good) version.
    """
    if article is None:  # nothing extracted: the version number is all it needs, from the index
        rows = store.versions(url)
        return Comparison("unchanged", (), None, rows[-1].version if rows else None)
    settle_history(store, url, page_urls(url, article.canonical_url), utc_now())
    previous = store.latest(url)
    if previous is None:
        return compare(None, article)
    previous = comparable(store, previous)
    furniture = site_furniture(store, previous.host, previous.article, article)
    return compare(previous, article, furniture=furniture, earlier=store.fingerprint_versions(url))


def compare(
    previous: Snapshot | None,
    article: Article,
    *,
    furniture: frozenset[str] = frozenset(),
    earlier: Mapping[str, int] | None = None,
) -> Comparison:
    """The comparison of an extracted article with a stored version (None: there is none yet).

    `furniture`: line hashes the site repeats (left out of both sides); `earlier`: fingerprint ->
    version of the stored versions, to tell a flip back to one of them (a revert) from news.
    """
    previous_version = previous.version if previous else None
    # Stored and matched without the learned furniture, which changes as the site is learned.
    new_fingerprint = fingerprint(article)
    if previous is None:
        return Comparison("new", (), new_fingerprint, None)
    check_collapse(previous.url, previous.article, article)
    # Recomputed from the stored article rather than read from the file: the comparison form
    # may have improved since that snapshot was written.
    if same_content(previous.article, article, furniture):
        return Comparison("unchanged", (), None, previous_version)
    changes = diff_articles(previous.article, article, furniture)
    if not changes:  # only the form changed (a date's precision, a paragraph break): no news
        return Comparison("unchanged", (), None, previous_version)
    reverts_to = (earlier or {}).get(new_fingerprint)
    if reverts_to is not None and reverts_to != previous_version:
        revert = ChangeItem(REVERT, f"version {previous_version}", f"version {reverts_to}")
        return Comparison("changed", (revert,), new_fingerprint, previous_version, reverts_to, furniture)
    return Comparison("changed", changes, new_fingerprint, previous_version, furniture=furniture)


def store_stage(
    store: SnapshotStore,
    url: str,
    fetched: FetchResult,
    article: Article | None,
    comparison: Comparison,
    alerting: AlertPolicy | None = None,
) -> CheckResult:
    """Write the new version when there is one, log the check, and return the public record.

    With `alerting`, a version that alerts is put in the outbox for its channels in the same
    index transaction that records the version: both are stored, or neither.
    """
    before = store.fetch_memo(url) if fetched.not_modified else FetchMemo(None, None, None)
    memo = _memo_after(fetched, before)
    # A page that answers again after a 404/410 is news whether or not its text changed.
    restored = store.is_gone(url)
    if comparison.outcome == "unchanged" or article is None or comparison.fingerprint is None:
        return _record_same_text(store, url, fetched, comparison.previous_version, memo, alerting)
    history = store.history_key(url)
    rows = store.versions(url)
    candidate = Snapshot(
        url=url,
        key=history,
        # A joined history stays in the directory it started in.
        host=rows[-1].path.split("/", 1)[0] if rows else host_dir(url),
        version=0,  # assigned by the store under its write lock
        fetched_at=fetched.fetched_at,
        article=article,
        fingerprint=comparison.fingerprint,
        raw_sha256=fetched.raw_sha256,
        raw_bytes=len(fetched.body),
        http=HttpInfo(
            status=fetched.status,
            final_url=fetched.final_url,
            content_type=fetched.content_type,
            etag=fetched.etag,
            last_modified=fetched.last_modified,
        ),
        extractor=EXTRACTOR_INFO,
    )
    with store.locked():
        # Decide again under the store's write lock: since diff_stage looked, another run (a
        # second process, or this content's version left unindexed by a killed run) may have
        # stored a version. Same content as the latest now: nothing to write.
        store.reconcile(url)
        latest = store.latest(url)
        if (latest.version if latest else None) != comparison.previous_version:
            comparison = compare(
                comparable(store, latest) if latest else None,
                article,
                furniture=comparison.furniture,
                earlier=store.fingerprint_versions(url),
            )
            if comparison.fingerprint is None:
                return _record_same_text(store, url, fetched, comparison.previous_version, memo, alerting)
        alerts = wants_alert(
            "restored" if restored else comparison.outcome, comparison.changes, alerting or AlertPolicy()
        )
        written = store.write_snapshot(
            candidate,
            fetched.body,
            on_version=_outbox_writer(store, alerting, comparison, restored) if alerts and alerting else None,
        )
    outcome = "restored" if restored else comparison.outcome
    store.record_check(url, fetched.fetched_at, outcome, written.version, memo=memo)
    significant = restored or (
        comparison.outcome == "changed" and any(c.significant for c in comparison.changes)
    )
    return CheckResult(
        url=url,
        outcome=outcome,
        version=written.version,
        significant=significant,
        changes=comparison.changes,
        # The public `snapshot` field: a local path, or the file's URL on shared storage.
        snapshot=store.file_location(written.path) if written.path else None,
        title=article.title,
        alert_id=alert_id(written.key, written.version, written.fingerprint) if alerts else None,
    )


def record_unchanged_pages(
    store: SnapshotStore, pages: Sequence[tuple[FetchResult, WatchState]]
) -> dict[str, CheckResult]:
    """Log the checks of pages that came back as they were (304 or the same bytes), many in one
    index transaction; the result holds those logged, and leaves out pages found gone before
    (their return is news: `store_stage` records it, with its alert)."""
    checks = [
        UnchangedCheck(
            url=fetched.url,
            checked_at=fetched.fetched_at,
            version=state.version,
            memo=_memo_after(fetched, state.memo),
        )
        for fetched, state in pages
    ]
    left = {check.url for check in store.record_unchanged(checks)}
    return {
        check.url: CheckResult(url=check.url, outcome="unchanged", version=check.version, significant=False)
        for check in checks
        if check.url not in left
    }


def _memo_after(fetched: FetchResult, before: FetchMemo) -> FetchMemo:
    # A 304 carries no body: the raw hash of the bytes we hold stays the one to compare with,
    # and validators it does not repeat (servers may leave them out) stay the ones we sent.
    if fetched.not_modified:
        return FetchMemo(
            fetched.etag or before.etag, fetched.last_modified or before.last_modified, before.raw_sha256
        )
    return FetchMemo(fetched.etag, fetched.last_modified, fetched.raw_sha256 if fetched.body else None)


def _record_same_text(
    store: SnapshotStore,
    url: str,
    fetched: FetchResult,
    version: int | None,
    memo: FetchMemo,
    alerting: AlertPolicy | None,
) -> CheckResult:
    """Log a check that stored nothing new: `unchanged`, or `restored` (alerted once) after a `gone`."""
    with store.locked() as db:
        spell_started = store.gone_since(url)
        outcome: Outcome = "restored" if spell_started else "unchanged"
        store.record_check(url, fetched.fetched_at, outcome, version, memo=memo)
        identity = None
        latest = store.latest(url) if spell_started and alerting and alerting.channel_ids else None
        if spell_started and alerting is not None and latest is not None:
            alert = status_alert("restored", latest, spell_started, fetched.fetched_at)
            Outbox(store)
            Outbox.enqueue(db, alert, alerting.channel_ids, fetched.fetched_at)
            identity = alert.alert_id
    return CheckResult(
        url=url, outcome=outcome, version=version, significant=outcome == "restored", alert_id=identity
    )


def _outbox_writer(
    store: SnapshotStore, alerting: AlertPolicy, comparison: Comparison, restored: bool = False
) -> Callable[[IndexConnection, Snapshot], None] | None:
    """What write_snapshot runs inside its transaction to owe the version's alert to every channel."""
    if not alerting.channel_ids:
        return None
    Outbox(store)  # makes sure the table exists before the version's transaction begins

    def enqueue(db: IndexConnection, written: Snapshot) -> None:
        alert = version_alert(
            written, comparison.changes, comparison.previous_version, "restored" if restored else "changed"
        )
        Outbox.enqueue(db, alert, alerting.channel_ids, written.fetched_at)

    return enqueue


def record_failure(
    store: SnapshotStore, url: str, error: BaseException, alerting: AlertPolicy | None = None
) -> CheckResult:
    """Log a failed check: `gone` for a 404/410 of an article we hold versions of, else `error`.

    The first `gone` of an unpublished spell alerts (with `alerting`), in the same index
    transaction that records it: a repeat, a retry or a crash in between never alerts twice.
    """
    message = one_line(error)
    checked_at = utc_now()
    try:
        versions = store.versions(url)
    except ArticlewatchError:  # a malformed URL has no key: nothing to record it under
        return CheckResult(url=url, outcome="error", error=message)
    latest = versions[-1].version if versions else None
    if not (isinstance(error, PageGoneError) and latest is not None):
        store.record_check(url, checked_at, "error", latest, error=message)
        return CheckResult(url=url, outcome="error", version=latest, error=message)
    identity = None
    with store.locked() as db:
        first_time = not store.is_gone(url)
        store.record_check(url, checked_at, "gone", latest, error=message)
        if first_time and alerting is not None and alerting.channel_ids:
            snapshot = store.latest(url)
            if snapshot is not None:
                alert = status_alert("gone", snapshot, checked_at, checked_at)
                Outbox(store)
                Outbox.enqueue(db, alert, alerting.channel_ids, checked_at)
                identity = alert.alert_id
    return CheckResult(
        url=url, outcome="gone", version=latest, significant=first_time, error=None, alert_id=identity
    )


def check_url(url: str, store: SnapshotStore, client: httpx.Client) -> CheckResult:
    """Check one URL through all four stages; errors become `error`/`gone` records, never exceptions."""
    try:
        fetched = fetch_stage(url, store, client)
        article = extract_stage(fetched, store)
        comparison = diff_stage(url, article, store)
        return store_stage(store, url, fetched, article, comparison)
    except ArticlewatchError as error:
        return record_failure(store, url, error)


def check_urls(urls: Iterable[str], store: SnapshotStore, client: httpx.Client) -> list[CheckResult]:
    """Check URLs one after another (the Prefect flow runs the same stages as concurrent tasks)."""
    return [check_url(url, store, client) for url in urls]


def select_urls(
    store: SnapshotStore, urls: Iterable[str] | None, check_all: bool, policy: SchedulePolicy | None = None
) -> list[str]:
    """The URLs a run checks: the given ones (added to the watchlist), else all, else the due watches
    (most overdue first, under `policy`, the adaptive schedule by default)."""
    if urls:
        selected = list(dict.fromkeys(urls))
        now = utc_now()
        for url in selected:
            try:
                store.add_watch(url, now)
            except ArticlewatchError:
                continue  # a malformed URL is reported by its check, not added
        return selected
    watches = store.watches()
    if check_all:
        return [watch.url for watch in watches]
    due = due_watches(watches, parse_time(utc_now()), policy or SchedulePolicy())
    return [watch.url for watch in due]

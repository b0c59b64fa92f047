"""Check watched articles with the pieces of the core, as plain Python.

One check of one URL goes through four stages, each a function here so the Prefect flow can run
each as a task (and retry the fetch) while tests and the benchmark call them directly:

    fetch_stage -> extract_stage -> diff_stage -> store_stage      (record_failure on any error)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import httpx

from .diff import diff_articles, fingerprint
from .errors import ArticlewatchError, PageGoneError, one_line
from .extract import EXTRACTOR_INFO, extract_article
from .fetch import fetch_page, utc_now
from .models import Article, ChangeItem, CheckResult, FetchResult, HttpInfo, Outcome, Snapshot
from .schedule import due_watches, parse_time
from .store import FetchMemo, SnapshotStore
from .urls import article_key, host_dir, normalize_url


@dataclass(frozen=True)
class Comparison:
    """What the diff stage decided: the outcome and, for a new version, its changes and fingerprint."""

    outcome: Outcome
    changes: tuple[ChangeItem, ...]
    fingerprint: str | None
    previous_version: int | None


def fetch_stage(url: str, store: SnapshotStore, client: httpx.Client) -> FetchResult:
    """Fetch a URL, conditionally when an earlier fetch left an ETag or Last-Modified."""
    normalize_url(url)  # a malformed URL fails here, before any network use
    memo = store.fetch_memo(url)
    return fetch_page(url, client, etag=memo.etag, last_modified=memo.last_modified)


def extract_stage(fetched: FetchResult, store: SnapshotStore) -> Article | None:
    """The article of a fetched page, or None when the page is byte-identical to the last fetch."""
    if fetched.not_modified or fetched.raw_sha256 == store.fetch_memo(fetched.url).raw_sha256:
        return None
    return extract_article(fetched.html, fetched.final_url)


def diff_stage(url: str, article: Article | None, store: SnapshotStore) -> Comparison:
    """Compare an extracted article with the latest stored version of its URL."""
    previous = store.latest(url)
    previous_version = previous.version if previous else None
    if article is None:
        return Comparison("unchanged", (), None, previous_version)
    new_fingerprint = fingerprint(article)
    if previous is None:
        return Comparison("new", (), new_fingerprint, None)
    # Recomputed from the stored article rather than read from the file: the comparison form
    # may have improved since that snapshot was written.
    if fingerprint(previous.article) == new_fingerprint:
        return Comparison("unchanged", (), None, previous_version)
    changes = diff_articles(previous.article, article)
    return Comparison("changed", changes, new_fingerprint, previous_version)


def store_stage(
    store: SnapshotStore,
    url: str,
    fetched: FetchResult,
    article: Article | None,
    comparison: Comparison,
) -> CheckResult:
    """Write the new version when there is one, log the check, and return the public record."""
    memo = FetchMemo(fetched.etag, fetched.last_modified, fetched.raw_sha256 if fetched.body else None)
    if fetched.not_modified:
        memo = FetchMemo(fetched.etag, fetched.last_modified, store.fetch_memo(url).raw_sha256)
    if comparison.outcome == "unchanged" or article is None or comparison.fingerprint is None:
        store.record_check(url, fetched.fetched_at, "unchanged", comparison.previous_version, memo=memo)
        return CheckResult(url=url, outcome="unchanged", version=comparison.previous_version)
    candidate = Snapshot(
        url=url,
        key=article_key(url),
        host=host_dir(url),
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
    written = store.write_snapshot(candidate, fetched.body)
    store.record_check(url, fetched.fetched_at, comparison.outcome, written.version, memo=memo)
    significant = comparison.outcome == "changed" and any(c.significant for c in comparison.changes)
    return CheckResult(
        url=url,
        outcome=comparison.outcome,
        version=written.version,
        significant=significant,
        changes=comparison.changes,
        snapshot=str(store.root / written.path) if written.path else None,
        title=article.title,
    )


def record_failure(store: SnapshotStore, url: str, error: BaseException) -> CheckResult:
    """Log a failed check: `gone` for a 404/410 of an article we hold versions of, else `error`."""
    message = one_line(error)
    checked_at = utc_now()
    try:
        versions = store.versions(url)
        watch = store.watch(url)
    except ArticlewatchError:  # a malformed URL has no key: nothing to record it under
        return CheckResult(url=url, outcome="error", error=message)
    latest = versions[-1].version if versions else None
    if isinstance(error, PageGoneError) and latest is not None:
        first_time = watch is None or watch.last_outcome != "gone"
        store.record_check(url, checked_at, "gone", latest, error=message)
        return CheckResult(url=url, outcome="gone", version=latest, significant=first_time, error=None)
    store.record_check(url, checked_at, "error", latest, error=message)
    return CheckResult(url=url, outcome="error", version=latest, error=message)


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
    store: SnapshotStore, urls: Iterable[str] | None, check_all: bool, every_seconds: float
) -> list[str]:
    """The URLs a run checks: the given ones (added to the watchlist), else all or the due watches."""
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
    return [watch.url for watch in due_watches(watches, parse_time(utc_now()), every_seconds)]

"""Changes between stored versions of an article, for history, diff and reports."""

from __future__ import annotations

from dataclasses import dataclass

from .boilerplate import site_furniture
from .diff import diff_articles
from .errors import StoreError
from .models import Change
from .store import SnapshotStore


@dataclass(frozen=True)
class HistoryEntry:
    """One version in an article's history, with the change that produced it (None for the first)."""

    version: int
    fetched_at: str
    title: str | None
    change: Change | None


def change_between(
    store: SnapshotStore, url: str, from_version: int | None = None, to_version: int | None = None
) -> Change:
    """The change from one stored version to another; by default the latest change."""
    rows = store.versions(url)
    if not rows:
        raise StoreError(f"{url}: no stored versions (check it first)")
    newest = rows[-1].version
    to_version = newest if to_version is None else to_version
    if from_version is None:
        from_version = to_version - 1
    if not 1 <= to_version <= newest:
        raise StoreError(f"{url}: no version {to_version} (versions 1..{newest})")
    if to_version == 1 and from_version == 0:
        raise StoreError(f"{url}: only one version so far: nothing to compare")
    if not 1 <= from_version <= newest:
        raise StoreError(f"{url}: no version {from_version} (versions 1..{newest})")
    old = store.snapshot(url, from_version)
    new = store.snapshot(url, to_version)
    furniture = site_furniture(store, new.host, old.article, new.article)
    # The same text as a version before `from`: this version flipped back to it.
    first_seen = store.fingerprint_versions(url).get(new.fingerprint, to_version)
    reverts_to = first_seen if first_seen < to_version and first_seen != from_version else None
    return Change(
        url=url,
        from_version=from_version,
        to_version=to_version,
        items=diff_articles(old.article, new.article, furniture),
        reverts_to=reverts_to,
        from_fetched_at=old.fetched_at,
        to_fetched_at=new.fetched_at,
        title=new.article.title,
        sitename=new.article.sitename,
    )


def history(store: SnapshotStore, url: str) -> list[HistoryEntry]:
    """Every version of a URL, oldest first, each with its change from the version before."""
    rows = store.versions(url)
    entries = []
    for row in rows:
        change = change_between(store, url, row.version - 1, row.version) if row.version > 1 else None
        entries.append(HistoryEntry(row.version, row.fetched_at, row.title, change))
    return entries

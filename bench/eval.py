"""Real-page evaluation: furniture must not alert, body edits must, with the right kind and place.

    python -m bench.eval [CORPUS] [--limit N] [--jobs N] [--no-flow]      (make eval [CORPUS=path])

For every page of the AEB corpus (read at run time, never copied): serve an instrumented copy of the
page from a local newsroom (one site per corpus host, so per-host statistics stay per host), check
it with the real pipeline stages (articlewatch.pipeline.check_url: fetch, extract, diff, store),
then serve each later version made by bench.mutations / bench.metadata_edits and check again. After
an edit the base page is served once more: that check must report a revert, not news. The naive
approach (trafilatura text equality) is measured on the same pages in the same run. Finally one
page goes through the Prefect flow (check_articles) to show it takes the same path.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from articlewatch.demo.newsroom import Newsroom
from articlewatch.fetch import make_client
from articlewatch.normalize import comparison_key
from articlewatch.pipeline import check_url
from articlewatch.store import SnapshotStore

from .corpus import DEFAULT_CORPUS, CorpusMissingError, CorpusPage, check_corpus, load_corpus
from .judge import Verdict, judge, judge_revert, naive_text
from .metadata_edits import metadata_edits
from .mutations import (
    FURNITURE,
    Mutation,
    furniture_changes,
    instrument,
    locate_body,
    paragraph_edits,
    restrict_body,
)
from .report import render_report

ARTICLE_PATH = "/article"


@dataclass(frozen=True)
class PageRun:
    """Everything one page produced: its verdicts, or why its base version could not be checked."""

    page_id: str
    verdicts: tuple[Verdict, ...]
    not_made: tuple[str, ...]  # mutation kinds the page has nothing to apply to
    base_error: str | None
    seconds: float


def evaluate_page(page: CorpusPage, variant: int, room: Newsroom, store: SnapshotStore) -> PageRun:
    """Check the base version of one page, then every mutation of it, through the real stages."""
    started = time.perf_counter()
    prepared = instrument(page.html, variant)
    locate_body(prepared, page.body, comparison_key)
    path = f"{ARTICLE_PATH}/{page.page_id[:16]}"
    url = room.put(path, prepared.html)
    with make_client() as client:
        base = check_url(url, store, client)
        if base.outcome != "new":
            seconds = time.perf_counter() - started
            return PageRun(page.page_id, (), (), base.error or base.outcome, seconds)
        snapshot = store.latest(url)
        assert snapshot is not None
        article = snapshot.article
        naive_base = naive_text(prepared.html)
        extracted = {comparison_key(p) for p in article.paragraphs}
        naive_key = comparison_key(naive_base)
        # Edit paragraphs the ground truth, the extraction and trafilatura's own output all hold.
        restrict_body(
            prepared, lambda text: comparison_key(text) in extracted and comparison_key(text) in naive_key
        )
        candidates = (
            furniture_changes(prepared) + paragraph_edits(prepared) + metadata_edits(prepared, article)
        )
        served = _ServedPage(url, path, prepared.html, naive_base, prepared.truth_key, room, store, client)
        verdicts: list[Verdict] = []
        not_made: list[str] = []
        for kind, mutation in candidates:
            if mutation is None:
                not_made.append(kind)
                continue
            verdicts += _check_mutation(page.page_id, mutation, served)
    return PageRun(page.page_id, tuple(verdicts), tuple(not_made), None, time.perf_counter() - started)


@dataclass(frozen=True)
class _ServedPage:
    """One corpus page as the local site serves it, with what its later versions are judged by."""

    url: str
    path: str
    base_html: str
    naive_base: str
    truth_key: str
    room: Newsroom
    store: SnapshotStore
    client: httpx.Client


def _check_mutation(page_id: str, mutation: Mutation, served: _ServedPage) -> Iterator[Verdict]:
    """Serve a later version, check it, judge it; after a stored change, serve the base again."""
    served.room.put(served.path, mutation.html)
    result = check_url(served.url, served.store, served.client)
    naive_new = naive_text(mutation.html)
    yield judge(page_id, mutation, result, served.naive_base, naive_new, served.truth_key, served.base_html)
    if result.outcome == "changed":
        # Serve the base page again: the text flips back to the first version.
        served.room.put(served.path, served.base_html)
        back = check_url(served.url, served.store, served.client)
        if mutation.group != FURNITURE:
            yield judge_revert(page_id, mutation.kind, back)


def evaluate_chunk(corpus: Path, page_ids: list[str], variants: dict[str, int]) -> list[PageRun]:
    """Evaluate some pages in this process: one local site per corpus host, one store for all."""
    runs = []
    with ExitStack() as stack, tempfile.TemporaryDirectory(prefix="aweval-") as tmp:
        store = stack.enter_context(SnapshotStore(Path(tmp) / "store"))
        rooms: dict[str, Newsroom] = {}
        wanted = set(page_ids)
        for page in load_corpus(corpus):
            if page.page_id not in wanted:
                continue
            host = urlsplit(page.url).hostname or "unknown"
            if host not in rooms:
                rooms[host] = stack.enter_context(Newsroom())
            runs.append(evaluate_page(page, variants[page.page_id], rooms[host], store))
            print(f"  {page.page_id[:8]} {runs[-1].seconds:5.1f}s", file=sys.stderr, flush=True)
    return runs


def flow_pass(corpus: Path, page_id: str, variant: int) -> str:
    """One page through the Prefect check_articles flow: base, a furniture change, an edit."""
    from articlewatch.prefect_env import configure_prefect_environment

    configure_prefect_environment()
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    from flows.check import check_articles

    page = next(p for p in load_corpus(corpus) if p.page_id == page_id)
    prepared = instrument(page.html, variant)
    locate_body(prepared, page.body, comparison_key)
    furniture = dict(furniture_changes(prepared))["relative_dates"]
    edit = dict(paragraph_edits(prepared))["paragraph_added"]
    if furniture is None or edit is None:
        return "flow pass skipped: the page has no body paragraphs to edit"
    outcomes = []
    with (
        tempfile.TemporaryDirectory(prefix="aweval-flow-") as tmp,
        Newsroom() as room,
        temporary_settings({PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}),
    ):
        for html in (prepared.html, furniture.html, edit.html):
            url = room.put(ARTICLE_PATH, html)
            [record] = check_articles(urls=[url], store=str(Path(tmp) / "store"))
            outcomes.append(f"{record['outcome']} (significant={record['significant']})")
    expected = ["new (significant=False)", "unchanged (significant=False)", "changed (significant=True)"]
    verdict = "same as the stage pipeline" if outcomes == expected else f"DIFFERENT, expected {expected}"
    return f"flow pass (Prefect check_articles, page {page_id[:8]}): " + ", ".join(outcomes) + f": {verdict}"


def _chunks(items: list[str], count: int) -> list[list[str]]:
    return [items[n::count] for n in range(count) if items[n::count]]


def main(argv: list[str] | None = None) -> int:
    """Run the evaluation and print the table; 2 when the corpus is missing."""
    parser = argparse.ArgumentParser(prog="python -m bench.eval", description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS, help="AEB corpus directory")
    parser.add_argument("--limit", type=int, default=None, help="only the first N pages")
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1), help="worker processes")
    parser.add_argument("--no-flow", action="store_true", help="skip the pass through the Prefect flow")
    args = parser.parse_args(argv)
    try:
        check_corpus(args.corpus)
    except CorpusMissingError as error:
        print(f"eval: {error}", file=sys.stderr)
        return 2
    page_ids = [page.page_id for page in load_corpus(args.corpus, args.limit)]
    variants = {page_id: n for n, page_id in enumerate(page_ids)}
    started = time.perf_counter()
    print(f"evaluating {len(page_ids)} pages of {args.corpus} with {args.jobs} worker(s)", file=sys.stderr)
    if args.jobs <= 1:
        runs = evaluate_chunk(args.corpus, page_ids, variants)
    else:
        with ProcessPoolExecutor(max_workers=args.jobs) as pool:
            futures = [
                pool.submit(evaluate_chunk, args.corpus, chunk, variants)
                for chunk in _chunks(page_ids, args.jobs)
            ]
            runs = [run for future in futures for run in future.result()]
    elapsed = time.perf_counter() - started
    flow_line = None if args.no_flow or not runs else flow_pass(args.corpus, runs[0].page_id, 0)
    print(render_report(runs, elapsed, args.corpus, flow_line))
    return 0


if __name__ == "__main__":
    sys.exit(main())

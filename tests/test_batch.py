"""Batches: many URLs at once with the process pool, per-URL retries, one failure costs one URL."""

from __future__ import annotations

import multiprocessing
import subprocess
import sys
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest
from article_pages import TURKISH

from articlewatch import batch
from articlewatch.demo.articles import DemoArticle
from articlewatch.demo.newsroom import Newsroom
from articlewatch.fetch import make_client
from articlewatch.store import SnapshotStore


@pytest.fixture()
def client() -> Iterator[httpx.Client]:
    with make_client(timeout=10) as opened:
        yield opened


def many_articles(seeds: dict[str, DemoArticle], count: int) -> dict[str, DemoArticle]:
    """`count` distinct articles (own paths, own headlines) made from the seeds."""
    bases = list(seeds.values())
    return {
        f"a{index}": replace(
            bases[index % len(bases)],
            path=f"/news/{index}/story-{index}.html",
            title=f"{bases[index % len(bases)].title} ({index})",
        )
        for index in range(count)
    }


def test_a_batch_through_the_process_pool_matches_the_plain_pipeline(
    newsroom: Newsroom, seeds: dict[str, DemoArticle], store: SnapshotStore, client: httpx.Client
) -> None:
    articles = many_articles(seeds, batch.POOL_MIN_PAGES + 4)
    urls = list(newsroom.publish(articles).values())
    pooled = batch.BatchContext(store=store, client=client, extractor=batch.extraction_pool())
    first = batch.check_in_batches(urls, pooled)
    assert [r.outcome for r in first] == ["new"] * len(urls)
    assert [r.url for r in first] == urls
    # The same pages again: nothing to extract (ETag -> 304), nothing written.
    again = batch.check_in_batches(urls, pooled)
    assert [r.outcome for r in again] == ["unchanged"] * len(urls)
    edited = {slug: replace(a, title=a.title + " (updated)") for slug, a in list(articles.items())[:3]}
    newsroom.publish(edited)
    third = batch.check_in_batches(urls, pooled)
    assert [r.outcome for r in third].count("changed") == 3
    assert all(c.kind == "title" for r in third for c in r.changes)


def test_one_bad_url_costs_that_url_only(
    newsroom: Newsroom, seeds: dict[str, DemoArticle], store: SnapshotStore, client: httpx.Client
) -> None:
    good = newsroom.publish({"cnbc": seeds["cnbc"]})["cnbc"]
    empty = newsroom.put("/empty-article", "<html><body><nav>Home</nav></body></html>")
    results = batch.check_batch(
        [empty, "ftp://x.example/a", good], batch.BatchContext(store=store, client=client)
    )
    assert [r.outcome for r in results] == ["error", "error", "new"]
    assert empty in (results[0].error or "") and "no article text" in (results[0].error or "")


def test_transient_failures_are_retried_per_url(
    newsroom: Newsroom,
    seeds: dict[str, DemoArticle],
    store: SnapshotStore,
    client: httpx.Client,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(batch, "RETRY_DELAYS", (0.2, 0.2))
    article = seeds["ukpaper"]
    url = newsroom.put(article.path, b"", status=503)
    context = batch.BatchContext(store=store, client=client)
    [failed] = batch.check_batch([url], context)
    assert failed.outcome == "error" and "503" in (failed.error or "")
    assert [m for m, p in newsroom.requests if p == article.path].count("GET") == 3  # first try + 2 retries
    newsroom.publish({"ukpaper": article})
    [ok] = batch.check_batch([url], context)
    assert ok.outcome == "new"


def test_split_tasks_few_equal_tasks_in_multiples_of_the_parallel_ones() -> None:
    urls = [f"http://127.0.0.1/{index}" for index in range(1000)]
    tasks = batch.split_tasks(urls, parallel=3, size=50, most=8)
    assert [len(task) for task in tasks] == [334, 333, 333]
    assert [url for task in tasks for url in task] == urls  # consecutive slices, order kept
    # 5000 URLs: at most 8 batches (400 URLs) a task, so 15 tasks rather than 13.
    many = batch.split_tasks(
        [f"{url}/{copy}" for copy in range(5) for url in urls], parallel=3, size=50, most=8
    )
    assert len(many) == 15 and {len(task) for task in many} == {333, 334}
    # Never more tasks than batches: a small run keeps its pages together for the pool.
    assert [len(task) for task in batch.split_tasks(urls[:20], parallel=3, size=50)] == [20]
    assert [len(task) for task in batch.split_tasks(urls[:60], parallel=3, size=50)] == [30, 30]
    assert batch.split_tasks([], parallel=3) == []


def test_split_batches_keeps_order() -> None:
    urls = [f"https://x.example/{n}" for n in range(7)]
    assert batch.split_batches(urls, 3) == [urls[0:3], urls[3:6], urls[6:7]]


def test_extraction_falls_back_to_this_thread_when_the_pool_cannot_work(
    newsroom: Newsroom, seeds: dict[str, DemoArticle], store: SnapshotStore, client: httpx.Client
) -> None:
    dead_pool = ProcessPoolExecutor(max_workers=1)
    dead_pool.shutdown()
    urls = list(newsroom.publish(many_articles(seeds, batch.POOL_MIN_PAGES)).values())
    results = batch.check_batch(urls, batch.BatchContext(store=store, client=client, extractor=dead_pool))
    assert [r.outcome for r in results] == ["new"] * len(urls)


class CountingPool(ProcessPoolExecutor):
    """A real process pool that counts the pages it is given."""

    pages = 0

    def map(self, fn: Callable[..., Any], *iterables: Iterable[Any], **options: Any) -> Iterator[Any]:
        columns = [list(column) for column in iterables]
        self.pages += len(columns[0])
        return super().map(fn, *columns, **options)


def test_a_run_with_workers_sends_them_even_one_changed_page(
    newsroom: Newsroom, store: SnapshotStore, client: httpx.Client
) -> None:
    # An edit pass changes a page or two per batch: extracting them in the run's process would hold
    # its GIL (the other batches wait) and load the extractor's caches into it as well.
    def page(index: int, month: str = "Ağustos") -> bytes:
        return TURKISH.replace("Ağustos", f"{index}. {month}").encode("utf-8")

    urls = [newsroom.put(f"/tr/{index}", page(index)) for index in range(3)]
    for url in urls:
        store.add_watch(url, "2026-11-22T08:00:00Z")  # a watch keeps its fetch memo (ETag, hash)
    with CountingPool(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        context = batch.BatchContext(store=store, client=client, extractor=pool)
        assert [r.outcome for r in batch.check_batch(urls, context)] == ["new"] * 3
        newsroom.put("/tr/1", page(1, "Eylül"))
        assert [r.outcome for r in batch.check_batch(urls, context)] == ["unchanged", "changed", "unchanged"]
    assert pool.pages == 3 + 1


def test_unchanged_pages_are_logged_together_and_a_page_back_from_gone_is_restored(
    newsroom: Newsroom, seeds: dict[str, DemoArticle], store: SnapshotStore, client: httpx.Client
) -> None:
    articles = many_articles(seeds, 4)
    urls = list(newsroom.publish(articles).values())
    for url in urls:
        store.add_watch(url, "2026-11-22T08:00:00Z")
    context = batch.BatchContext(store=store, client=client)
    assert [r.outcome for r in batch.check_batch(urls, context)] == ["new"] * 4
    gone_path = articles["a1"].path
    newsroom.remove(gone_path)
    assert [r.outcome for r in batch.check_batch(urls, context)] == [
        "unchanged",
        "gone",
        "unchanged",
        "unchanged",
    ]
    newsroom.publish({"a1": articles["a1"]})  # the same bytes (and ETag) as before it went
    back = batch.check_batch(urls, context)
    assert [(r.outcome, r.version, r.significant) for r in back] == [
        ("unchanged", 1, False),
        ("restored", 1, True),
        ("unchanged", 1, False),
        ("unchanged", 1, False),
    ]
    # Every check is in the log once, and the fetch memo kept the ETag for the next conditional GET.
    assert [c.outcome for c in store.checks(urls[0])] == ["unchanged", "unchanged", "new"]
    assert [c.outcome for c in store.checks(urls[1])] == ["restored", "gone", "new"]
    assert [store.fetch_memo(url).etag is not None for url in urls] == [True] * 4
    assert all(store.watch(url).last_outcome == "unchanged" for url in (urls[0], urls[2], urls[3]))  # type: ignore[union-attr]


def test_extraction_workers_start_before_the_first_page() -> None:
    # A fresh process: the pool is per process, and other tests here have used it already.
    script = (
        "import os\n"
        "from articlewatch import batch\n"
        "if __name__ == '__main__':\n"
        "    batch.start_extraction_pool()\n"
        "    processes = batch.extraction_pool()._processes\n"
        "    print(len(processes), os.cpu_count() or 1, all(p.is_alive() for p in processes.values()))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    started, cores, alive = done.stdout.split()
    assert started == cores and alive == "True"  # one worker per core, running before any page


ARTICLE_PAGE = f"<html><body><article><p>{'A sentence of the article body. ' * 9}</p></article></body></html>"


def test_extraction_workers_do_not_import_the_parents_main_module(tmp_path: Path) -> None:
    # A spawned process imports its parent's __main__ first: under a flow run that is
    # prefect.engine, under the CLI articlewatch.cli, neither of which a worker needs.
    (tmp_path / "heavy_main_module_marker.py").write_text("")
    (tmp_path / "probe.py").write_text("import sys\ndef imported(name):\n    return name in sys.modules\n")
    (tmp_path / "main.py").write_text(
        "import heavy_main_module_marker\n"
        "import probe\n"
        "from articlewatch import batch, extraction_worker\n"
        "if __name__ == '__main__':\n"
        "    pool = batch.extraction_pool()\n"
        f"    page = {ARTICLE_PAGE!r}.encode()\n"
        "    article = pool.submit(extraction_worker.extract_page, page, 'utf-8', 'http://127.0.0.1/a')\n"
        "    marker = pool.submit(probe.imported, 'heavy_main_module_marker')\n"
        "    print(marker.result(), len(article.result().paragraphs))\n"
    )
    done = subprocess.run(
        [sys.executable, str(tmp_path / "main.py")], capture_output=True, text=True, timeout=120, cwd=tmp_path
    )
    assert done.stdout.split() == ["False", "1"], done.stderr[-2000:]


def test_pages_in_a_legacy_charset_read_right_through_the_pool(
    newsroom: Newsroom, store: SnapshotStore, client: httpx.Client
) -> None:
    # The workers get each page's bytes and its declared charset, and decode it themselves.
    urls = [
        newsroom.put(
            f"/tr/{index}",
            TURKISH.replace("Ağustos", f"{index}. Ağustos").encode("cp1254"),
            content_type="text/html; charset=windows-1254",
        )
        for index in range(batch.POOL_MIN_PAGES)
    ]
    pooled = batch.BatchContext(store=store, client=client, extractor=batch.extraction_pool())
    results = batch.check_batch(urls, pooled)
    assert [r.outcome for r in results] == ["new"] * len(urls)
    snapshots = [store.latest(url) for url in urls]
    titles = {snapshot.article.title for snapshot in snapshots if snapshot}
    assert titles == {"Erdoğan: Türkiye ekonomisi güçlü"}
    assert all("7. Ağustos" in " ".join(s.article.paragraphs) for s in snapshots[7:8] if s)

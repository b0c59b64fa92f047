"""Throughput benchmark: the real check pipeline over N pages built from the AEB corpus.

    python -m bench.perf [CORPUS] [--sizes 1000,5000]        (make bench [CORPUS=path/to/aeb])

For each N it serves N pages (the corpus repeated under distinct URLs, each copy its own article)
from a loopback server in its own process and measures, each in a fresh process:
- the baseline: trafilatura alone over the same HTML, one process, no fetching, Prefect or store;
- the pipeline: `check_articles` flow runs, one per pass: cold (all new), warm (nothing changed),
  edit (10% of the pages have a real edit inside the article body), in a process started the way
  a deployment's run starts, against a running Prefect server (`articlewatch serve`, or
  `prefect server start` and a worker: how scheduled checks run) that has served a run before;
- the one-time start of the same process without a server, where Prefect starts a temporary
  one (an ad-hoc `articlewatch check --all` with no PREFECT_API_URL), as a second "whole" figure;
- the same passes through the core batch runner without Prefect, for Prefect's share of the time;
- a single-URL `articlewatch check` against a running Prefect server (PREFECT_API_URL).
Politeness is off (host_delay 0): every page is on one loopback host, and the benchmark measures
the pipeline, not a crawl delay. It prints ratios against the baseline measured in the same run.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.corpus import DEFAULT_CORPUS, CorpusMissingError, CorpusPage, check_corpus, load_corpus
from bench.pageserver import PageServer, ServedPage, copy_of, own_article

EDIT_EVERY = 10  # one page in ten gets a real edit in the edit pass
MAX_EDIT_TRIES = 8  # places tried per page for an edit the extractor sees
# Measured by the issue on this machine with urlwatch 2.29 (it only converts HTML to text).
URLWATCH_COLD, URLWATCH_WARM = 184.0, 207.0
BENCH_ENV = {
    "ARTICLEWATCH_HOST_DELAY": "0",
    "ARTICLEWATCH_HOST_CONCURRENCY": "32",
    "ARTICLEWATCH_CONCURRENCY": "16",
    "ARTICLEWATCH_CHECK_EVERY": "365d",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_LOGGING_LEVEL": "WARNING",
}
_WORD_WINDOW = re.compile(r"(?:[A-Za-z]{3,} ){5}[A-Za-z]{3,}")


@dataclass(frozen=True)
class Workload:
    """The pages of one size: what each URL serves, and which URLs get an edit."""

    pages: list[ServedPage]
    edited: list[str]
    unseen: int = 0  # pages due an edit whose body has no stretch the extractor reads


def edit_inside_body(page: CorpusPage, html: bytes) -> bytes | None:
    """The page with one word inserted inside a paragraph of its true article body, or None if no
    six-word stretch of the body appears verbatim once in the HTML where the extractor reads it.

    An edit where the extractor never looks (a JSON blob, a meta description, a paragraph it
    leaves out) changes nothing any change tracker reads: such a page gets no edit (bench.eval
    counts those apart). Each candidate is checked by extracting the edited page.
    """
    tried = 0
    for paragraph in sorted(page.body, key=len, reverse=True):
        for match in _WORD_WINDOW.finditer(paragraph):
            window = match.group(0).encode()
            if html.count(window) != 1:
                continue
            first, rest = window.split(b" ", 1)
            edited = html.replace(window, first + b" reportedly " + rest)
            if f"{first.decode()} reportedly" in _extracted_text(edited):
                return edited
            tried += 1
            if tried == MAX_EDIT_TRIES:
                return None
    return None


def _extracted_text(html: bytes) -> str:
    from articlewatch.errors import ArticlewatchError
    from articlewatch.extract import extract_article

    try:
        return "\n".join(extract_article(html.decode("utf-8"), "http://127.0.0.1/page").paragraphs)
    except ArticlewatchError:
        return ""


def build_workload(corpus: list[CorpusPage], size: int) -> Workload:
    """N pages cycling through the corpus; every EDIT_EVERY-th page (if editable) gets a second edition."""
    bodies = [own_article(page.html.encode("utf-8")) for page in corpus]
    edited_sources = {index % len(corpus) for index in range(0, size, EDIT_EVERY)}
    edits = [
        edit_inside_body(page, body) if source in edited_sources else None
        for source, (page, body) in enumerate(zip(corpus, bodies, strict=True))
    ]
    pages, edited, unseen = [], [], 0
    for index in range(size):
        source = index % len(corpus)
        path = f"/{index}/{corpus[source].page_id[:12]}.html"
        second = edits[source] if index % EDIT_EVERY == 0 else None
        pages.append(ServedPage(path, bodies[source], second, copy=index))
        if second is not None:
            edited.append(path)
        unseen += index % EDIT_EVERY == 0 and second is None
    return Workload(pages, edited, unseen)


# -- measured processes --------------------------------------------------------------------------


def run_baseline(corpus_dir: Path, size: int) -> dict[str, Any]:
    """trafilatura alone over the same N pages in this process: pages per second."""
    import trafilatura

    corpus = list(load_corpus(corpus_dir))
    bodies = [own_article(page.html.encode()) for page in corpus]
    documents = [copy_of(bodies[i % len(corpus)], i).decode() for i in range(size)]
    started = time.perf_counter()
    for html in documents:
        trafilatura.bare_extraction(html, with_metadata=True, include_comments=False)
    elapsed = time.perf_counter() - started
    return {"seconds": elapsed, "pages_per_s": size / elapsed}


def run_passes(base_url: str, edited: list[str], store: str, with_prefect: bool) -> dict[str, Any]:
    """Cold, warm and edit passes over the URLs in this (fresh) process; times and counts."""
    import httpx

    process_start = float(os.environ["BENCH_PROCESS_START"])
    run_pass = _flow_pass if with_prefect else _core_pass
    if with_prefect:
        # What `articlewatch check --all` does before it starts Prefect (cli.run_check).
        from articlewatch.batch import start_extraction_pool

        start_extraction_pool()
    prefect_start = _start_prefect() if with_prefect else 0.0
    report: dict[str, Any] = {"prefect_start": prefect_start, "passes": {}}
    for name in ("cold", "warm", "edit"):
        if name == "edit":
            httpx.get(base_url + "/__edition/1", timeout=10)
        before = _tree_bytes(Path(store))
        started = time.perf_counter()
        records = run_pass(store)
        elapsed = time.perf_counter() - started
        outcomes: dict[str, int] = {}
        for record in records:
            outcomes[record["outcome"]] = outcomes.get(record["outcome"], 0) + 1
        changed = {record["url"] for record in records if record["outcome"] == "changed"}
        report["passes"][name] = {
            "seconds": elapsed,
            "ended_at": time.time() - process_start,
            "outcomes": outcomes,
            "store_bytes": _tree_bytes(Path(store)) - before,
            "edits_found": sum(base_url + path in changed for path in edited),
        }
    # VmHWM, not getrusage's ru_maxrss: Linux counts into ru_maxrss the high-water mark of the
    # address space exec replaced, which for a child started by vfork (subprocess) is the parent's:
    # the benchmark's own process, holding every page of the workload.
    report["peak_rss_mb"] = _peak_rss_mb(os.getpid())
    # The extraction workers are alive still (RUSAGE_CHILDREN counts only ended children):
    # their own high-water marks, summed, as if every one peaked at the same moment.
    report["peak_workers_rss_mb"] = sum(_peak_rss_mb(pid) for pid in _child_pids())
    return report


def _child_pids() -> list[int]:
    """This process's live child processes (Linux /proc)."""
    me = str(os.getpid())
    children = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line)
        except OSError:
            continue  # ended meanwhile
        if fields.get("PPid", "").strip() == me:
            children.append(int(status.parent.name))
    return children


def _peak_rss_mb(pid: int) -> float:
    """A live process's peak resident memory (VmHWM), 0 if it has ended."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def watch_all(store: Path, urls: list[str]) -> None:
    """Put the URLs on a new store's watchlist, in one index transaction."""
    from articlewatch.store import SnapshotStore

    with SnapshotStore(store) as snapshot_store, snapshot_store.locked():
        for url in urls:
            snapshot_store.add_watch(url, "2026-01-01T00:00:00Z")


def run_start_only() -> dict[str, Any]:
    """A pass process's one-time start and nothing else; with no PREFECT_API_URL, Prefect's own
    temporary server starts in it."""
    from articlewatch.batch import start_extraction_pool

    start_extraction_pool()
    prefect_start = _start_prefect()
    started_at = time.time() - float(os.environ["BENCH_PROCESS_START"])
    return {"prefect_start": prefect_start, "started_at": started_at}


def _start_prefect() -> float:
    started = time.perf_counter()
    first_flow_run()
    return time.perf_counter() - started


def first_flow_run() -> int | None:
    """A process's first flow run (Prefect's client, the server's first answers) and nothing else,
    run as run_check_articles runs a pass; the heartbeat frequency Prefect's own thread saw.

    Prefect's own heartbeat thread sleeps in whole seconds and the run joins it at its end (about
    a second, flows/heartbeat.py): a pass never pays that, so this stand-in for its one-time
    start must not either (it did: 1.2-2.0 s here instead of 0.2-0.3 s).
    """
    from prefect import flow
    from prefect.settings import get_current_settings

    from flows.heartbeat import prompt_heartbeats

    @flow(name="bench-warm-up")
    def warm_up() -> int | None:
        return get_current_settings().flows.heartbeat_frequency

    with prompt_heartbeats():
        return warm_up()


def _flow_pass(store: str) -> list[dict[str, Any]]:
    from flows.check import run_check_articles

    # As `articlewatch check --all` runs it: a run of the due watches keeps its heartbeat.
    return run_check_articles(heartbeat=True, store=store, check_all=True)


def _core_pass(store: str) -> list[dict[str, Any]]:
    from articlewatch import batch
    from articlewatch.config import load_settings
    from articlewatch.fetch import make_client
    from articlewatch.politeness import interleave_by_host
    from articlewatch.store import SnapshotStore

    settings = load_settings(store)
    with (
        SnapshotStore(settings.store, settings.index) as snapshot_store,
        make_client(settings.timeout) as client,
    ):
        urls = [watch.url for watch in snapshot_store.watches()]
        context = batch.local_context(snapshot_store, client, settings, pages=len(urls))
        return [result.to_record() for result in batch.check_in_batches(interleave_by_host(urls), context)]


def _tree_bytes(root: Path) -> int:
    return sum(path.stat().st_size for path in root.rglob("*") if path.is_file())


def _child(arguments: list[str], extra_env: dict[str, str] | None = None) -> tuple[dict[str, Any], float]:
    """Run `python -m bench.perf --worker ...` in a fresh process; (its JSON report, launch time)."""
    launched = time.time()
    env = {**os.environ, **BENCH_ENV, "BENCH_PROCESS_START": str(launched), **(extra_env or {})}
    done = subprocess.run(
        [sys.executable, "-m", "bench.perf", "--worker", *arguments],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"benchmark worker failed: {done.stderr.strip().splitlines()[-5:]}")
    return json.loads(done.stdout.strip().splitlines()[-1]), launched


def single_url_check(base_url: str, path: str, workdir: Path) -> float | None:
    """Seconds for `articlewatch check URL` (a new process) against a running Prefect server."""
    from flows.local_server import local_prefect_server

    with local_prefect_server(workdir / "prefect") as api_url:
        env = {**os.environ, **BENCH_ENV, "PREFECT_API_URL": api_url}
        command = [
            sys.executable,
            "-m",
            "articlewatch.cli",
            "--store",
            str(workdir / "single"),
            "check",
            "--json",
        ]
        subprocess.run(
            [*command, base_url + path], env=env, capture_output=True, check=False
        )  # first contact
        started = time.perf_counter()
        done = subprocess.run([*command, base_url + path], env=env, capture_output=True, check=False)
        elapsed = time.perf_counter() - started
    return elapsed if done.returncode == 0 else None


# -- the table ------------------------------------------------------------------------------------


def measure(corpus_dir: Path, size: int) -> dict[str, Any]:
    """Everything for one N: baseline, flow passes, core passes, single-URL check."""
    corpus = list(load_corpus(corpus_dir))
    workload = build_workload(corpus, size)
    paths = [page.path for page in workload.pages]
    with tempfile.TemporaryDirectory(prefix="aw-bench-") as scratch:
        spec = Path(scratch) / "spec.json"
        # The baseline just before and just after the flow passes: this machine's speed drifts by
        # 10-20% over minutes (other tenants), and a ratio against a baseline taken minutes away
        # measured the drift as much as the pipeline.
        before, _ = _child(["baseline", str(corpus_dir), str(size)])
        results: dict[str, Any] = {
            "n": size,
            "edits": len(workload.edited),
            "unseen_edits": workload.unseen,
        }
        results["temporary_server"], _ = _child(["start"])
        for label, prefect in (("flow", True), ("core", False)):
            with PageServer(workload.pages) as server, _prefect_api(Path(scratch), prefect) as api_env:
                spec.write_text(json.dumps({"base": server.base_url, "edited": workload.edited}))
                # The watchlist exists before a pass starts (`articlewatch add`, discovery).
                watch_all(Path(scratch) / label, [server.base_url + path for path in paths])
                report, launched = _child(
                    ["passes", str(spec), str(Path(scratch) / label), str(int(prefect))], api_env
                )
                report["launched"] = launched
                results[label] = report
            if label == "flow":
                after, _ = _child(["baseline", str(corpus_dir), str(size)])
                results["baseline"] = combined_baseline(before, after, size)
        with PageServer(workload.pages[:1]) as server:
            results["single_url_s"] = single_url_check(server.base_url, paths[0], Path(scratch))
    return results


def combined_baseline(before: dict[str, Any], after: dict[str, Any], size: int) -> dict[str, Any]:
    """Two baseline runs as one: all their pages over all their seconds, and each run's rate."""
    seconds = before["seconds"] + after["seconds"]
    return {
        "seconds": seconds,
        "pages_per_s": 2 * size / seconds,
        "before": before["pages_per_s"],
        "after": after["pages_per_s"],
    }


@contextmanager
def _prefect_api(workdir: Path, wanted: bool) -> Iterator[dict[str, str]]:
    """A running Prefect server's PREFECT_API_URL for a flow process (nothing for a core one)."""
    if not wanted:
        yield {}
        return
    from flows.local_server import local_prefect_server

    with local_prefect_server(workdir / "prefect-passes") as api_url:
        api_env = {"PREFECT_API_URL": api_url}
        warm_up_server(api_env)
        yield api_env


def warm_up_server(api_env: dict[str, str]) -> None:
    """One flow run against the server from a process of its own, before the measured process.

    A running server has served runs before. A server's first answers after its own start cost it
    more (0.8 s for a first flow run here, against 0.16 s on one that has served one): that is the
    server's one-time cost, which the single-URL check already leaves out with a first contact,
    not a pass process's.
    """
    _child(["warm-server"], api_env)


def render_table(runs: list[dict[str, Any]]) -> str:
    """The benchmark table, one block per N, with the goals of the performance issue."""
    lines = []
    for run in runs:
        n, base = run["n"], run["baseline"]["pages_per_s"]
        flow, core = run["flow"], run["core"]
        lines.append(
            f"N = {n}   baseline (trafilatura alone, 1 process): {base:.1f} pages/s"
            f" ({run['baseline']['before']:.1f} just before the flow passes,"
            f" {run['baseline']['after']:.1f} just after)"
        )
        # A process's one-time cost before its pass: interpreter, imports, watchlist, first
        # contact with the running server; and the same with a temporary server started by Prefect.
        startup = flow["passes"]["cold"]["ended_at"] - flow["passes"]["cold"]["seconds"]
        temporary = run["temporary_server"]["started_at"]
        lines.append(
            f"  one-time start of a pass process: {startup:.1f} s against a running Prefect server"
            f" (first flow run {flow['prefect_start']:.1f} s), {temporary:.1f} s with a temporary"
            f" server (first flow run {run['temporary_server']['prefect_start']:.1f} s)"
        )
        lines.append(
            f"  peak memory {flow['peak_rss_mb'] + flow['peak_workers_rss_mb']:.0f} MB"
            f" (run process {flow['peak_rss_mb']:.0f} MB + extraction workers"
            f" {flow['peak_workers_rss_mb']:.0f} MB); edits planted {run['edits']}"
            f" ({run['unseen_edits']} pages due one had no body text the extractor reads)"
        )
        lines.append(
            "  pass   | wall s | pages/s pass | pages/s whole | x baseline (whole) |"
            " x baseline (whole, temp. server) | Prefect share | store B/check | edits found"
            "\n  (whole: the pass in a process of its own, its one-time start included)"
        )
        for name in ("cold", "warm", "edit"):
            passed, core_pass = flow["passes"][name], core["passes"][name]
            whole = startup + passed["seconds"]
            whole_temporary = temporary + passed["seconds"]
            share = max(0.0, 1 - core_pass["seconds"] / passed["seconds"])
            edits = f"{passed['edits_found']}/{run['edits']}" if name == "edit" else "-"
            lines.append(
                f"  {name:<6} | {passed['seconds']:6.1f} | {n / passed['seconds']:12.1f} | "
                f"{n / whole:13.1f} | {n / whole / base:18.2f} | {n / whole_temporary / base:32.2f} | "
                f"{share:13.0%} | {passed['store_bytes'] / n:13.0f} | {edits}"
            )
        cold, warm = flow["passes"]["cold"], flow["passes"]["warm"]
        lines.append(
            f"  warm vs urlwatch ({URLWATCH_WARM:.0f} pages/s): {n / warm['seconds'] / URLWATCH_WARM:.1f}x; "
            f"warm whole process / cold whole process: {(startup + warm['seconds']) / cold['ended_at']:.2f}"
            f" ({(temporary + warm['seconds']) / (temporary + cold['seconds']):.2f} with a temporary server)"
        )
        single = run["single_url_s"]
        lines.append(
            f"  single-URL check against a running Prefect server: {single:.2f} s"
            if single
            else "  single-URL check against a running Prefect server: failed"
        )
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the table; 2 when the corpus is missing."""
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--worker"]:
        return _worker(argv[1:])
    parser = argparse.ArgumentParser(prog="python -m bench.perf", description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS, help="AEB corpus directory")
    parser.add_argument("--sizes", default="1000,5000", help="comma-separated page counts")
    args = parser.parse_args(argv)
    try:
        check_corpus(args.corpus)
    except CorpusMissingError as error:
        print(f"bench: {error}", file=sys.stderr)
        return 2
    runs = []
    for size in (int(value) for value in args.sizes.split(",")):
        print(f"bench: N = {size} ...", file=sys.stderr, flush=True)
        runs.append(measure(args.corpus, size))
    print(render_table(runs))
    return 0


def _worker(argv: list[str]) -> int:
    kind = argv[0]
    if kind == "baseline":
        report = run_baseline(Path(argv[1]), int(argv[2]))
    elif kind == "start":
        report = run_start_only()
    elif kind == "warm-server":
        first_flow_run()
        report = {}
    else:
        spec = json.loads(Path(argv[1]).read_text())
        report = run_passes(spec["base"], spec["edited"], argv[2], argv[3] == "1")
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())

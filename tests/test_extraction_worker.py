"""The extraction workers' side: a page's bytes in, its article out, and only the extractor imported."""

from __future__ import annotations

import json
import multiprocessing
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor

from article_pages import TURKISH

from articlewatch.errors import ExtractionError
from articlewatch.extraction_worker import extract_page, start_worker
from articlewatch.models import Article, FetchResult
from articlewatch.stamps import find_page_dates, prepare_date_parser

URL = "http://127.0.0.1/tr/ekonomi"


def test_a_worker_decodes_the_bytes_with_the_declared_charset() -> None:
    article = extract_page(TURKISH.encode("cp1254"), "windows-1254", URL)
    assert isinstance(article, Article)
    assert article.title == "Erdoğan: Türkiye ekonomisi güçlü"
    assert any("Şirketler ve işçiler" in paragraph for paragraph in article.paragraphs)


def test_a_worker_reads_a_page_as_the_run_process_would() -> None:
    body = TURKISH.encode("cp1254")
    fetched = FetchResult(url=URL, final_url=URL, status=200, fetched_at="", body=body, charset=None)
    assert extract_page(body, None, URL) == extract_page(fetched.html.encode(), "utf-8", URL)


def test_a_page_without_article_text_comes_back_as_an_error_value() -> None:
    outcome = extract_page(b"<html><body><nav>Home</nav></body></html>", "utf-8", URL)
    assert isinstance(outcome, ExtractionError) and URL in str(outcome)


def test_a_worker_imports_the_extractor_and_not_the_fetching_or_storing_modules() -> None:
    # Each worker is a whole interpreter: what it imports it holds once per core.
    script = "import sys, json, articlewatch.extraction_worker; print(json.dumps(sorted(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True
    )
    modules = set(json.loads(done.stdout))
    assert "articlewatch.extract" in modules and "trafilatura" in modules
    heavy = {"httpx", "sqlite3", "jsonschema", "articlewatch.store", "articlewatch.fetch"}
    assert not heavy & modules


def compiled_date_languages() -> int:
    """In a worker: how many languages' word lists dateparser has compiled (htmldate's fallback)."""
    from dateparser.languages.dictionary import Dictionary

    return sum(len(by_language) for by_language in Dictionary._split_regex_cache.values())


def test_a_worker_compiles_the_date_parser_before_its_first_page() -> None:
    # About 1.6 s of CPU that would otherwise land on the worker's first pages.
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(1, mp_context=spawn, initializer=start_worker) as pool:
        assert pool.submit(compiled_date_languages).result(timeout=120) > 100


def test_the_date_parser_warm_up_changes_no_dates() -> None:
    page = "<html><body><article><p>Posted 12 settembre 2018</p><p>{}</p></article></body></html>"
    html = page.format("Body text of the article, long enough to be one. " * 5)
    before = find_page_dates(html)
    assert prepare_date_parser() is True
    assert find_page_dates(html) == before

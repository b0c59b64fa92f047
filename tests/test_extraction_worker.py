"""The extraction workers' side: a page's bytes in, its article out, and only the extractor imported."""

from __future__ import annotations

import json
import subprocess
import sys

from article_pages import TURKISH

from articlewatch.errors import ExtractionError
from articlewatch.extraction_worker import extract_page
from articlewatch.models import Article, FetchResult

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

"""The evaluation harness end to end on a two-page corpus made from the demo's seed pages."""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path

import pytest

from articlewatch.demo.articles import seed_articles
from articlewatch.demo.pages import render_page
from bench.eval import main


def make_corpus(root: Path, slugs: tuple[str, ...]) -> Path:
    """An AEB-shaped corpus: html/<id>.html.gz and ground-truth.json with the true bodies."""
    (root / "html").mkdir(parents=True)
    truth = {}
    for slug in slugs:
        article = seed_articles()[slug]
        url = "https://" + slug + ".example" + article.path
        html = render_page(article, "https://" + slug + ".example")
        page_id = hashlib.sha256(url.encode()).hexdigest()
        (root / "html" / f"{page_id}.html.gz").write_bytes(gzip.compress(html.encode("utf-8")))
        truth[page_id] = {"url": url, "articleBody": "\n\n".join(article.paragraphs[1:])}
    (root / "ground-truth.json").write_text(json.dumps(truth), encoding="utf-8")
    return root


def test_eval_prints_the_table_and_meets_the_goals(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = make_corpus(tmp_path / "aeb", ("cnbc", "ukpaper"))
    assert main([str(corpus), "--jobs", "1", "--no-flow"]) == 0
    out = capsys.readouterr().out
    assert "2 pages of" in out and "base versions checked: 2 new, 0 refused" in out
    for row in (
        "nav_links",
        "reader_comment",
        "csrf_token",
        "number_changed",
        "paragraph_moved",
        "update_stamp",
    ):
        assert f"  {row} " in out
    assert "naive false alerts" in out and "naive recall" in out and "REVERTS" in out
    goals = next(line for line in out.splitlines() if line.startswith("goals:"))
    assert "NOT MET" not in goals, out


def test_a_missing_corpus_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(tmp_path / "nowhere")]) == 2
    err = capsys.readouterr().err
    assert "nowhere: corpus directory not found" in err and "CORPUS=" in err

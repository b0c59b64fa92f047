"""The AEB corpus as the evaluation reads it: gzipped pages plus their true article body."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from articlewatch.decoding import decode_html

DEFAULT_CORPUS = Path("../shared/corpus/aeb")


class CorpusMissingError(Exception):
    """The corpus directory or its ground truth is not where it was said to be."""


@dataclass(frozen=True)
class CorpusPage:
    """One corpus page: its id (file name), original URL, HTML and true body paragraphs."""

    page_id: str
    url: str
    html: str
    body: tuple[str, ...]


def check_corpus(root: Path) -> Path:
    """The ground-truth file of a corpus directory; CorpusMissingError saying what is missing."""
    truth = root / "ground-truth.json"
    if not root.is_dir():
        raise CorpusMissingError(f"{root}: corpus directory not found (pass CORPUS=path/to/aeb)")
    if not truth.is_file() or not (root / "html").is_dir():
        raise CorpusMissingError(f"{root}: not an AEB corpus (needs ground-truth.json and html/)")
    return truth


def load_corpus(root: Path, limit: int | None = None) -> Iterator[CorpusPage]:
    """The pages of a corpus in a stable order (sorted by id), read lazily from disk."""
    truth = json.loads(check_corpus(root).read_text(encoding="utf-8"))
    for count, page_id in enumerate(sorted(truth)):
        if limit is not None and count >= limit:
            return
        entry = truth[page_id]
        raw = gzip.decompress((root / "html" / f"{page_id}.html.gz").read_bytes())
        body = tuple(line.strip() for line in entry["articleBody"].split("\n") if line.strip())
        yield CorpusPage(page_id=page_id, url=entry["url"], html=decode_html(raw), body=body)

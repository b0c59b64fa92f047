"""What a run's extraction processes run: a page's bytes in, its article (or error) out.

A worker imports only this module and the extractor, not the fetching, storing and indexing ones
(about 22 MB less in each worker), and decodes the page itself: the run's process keeps a page as
its raw bytes only, and bytes cross to a worker without the re-encoding a str needs.
"""

from __future__ import annotations

from .decoding import decode_html
from .errors import ArticlewatchError, ExtractionError
from .extract import extract_article
from .malloc_tuning import keep_large_blocks_mapped
from .models import Article


def start_worker() -> None:
    """A worker's start: big page buffers go back to the OS once freed (see malloc_tuning)."""
    keep_large_blocks_mapped()


def ready() -> None:
    """Nothing: a worker that runs it has imported the extractor, before the first page arrives."""


def extract_page(body: bytes, charset: str | None, url: str) -> Article | ArticlewatchError:
    """The article of one fetched page, or the error that page ends with (never raised)."""
    # Errors travel back as values, so one page never fails the rest of a map.
    try:
        return extract_article(decode_html(body, charset, url), url)
    except ArticlewatchError as error:
        return error
    except Exception as error:  # a parser crash on hostile markup is that page's problem only
        return ExtractionError(f"{url}: extraction failed ({type(error).__name__}: {error})")

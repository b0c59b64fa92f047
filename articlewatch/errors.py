"""The errors articlewatch raises, translated to one-line messages at the edges (CLI, flows).

ArticlewatchError                 every error of ours; str(err) is the one-line message
├── RetryableError                worth trying again later: the same request may succeed
│   └── TransientFetchError       timeout, connection refused, 5xx, 429
├── PermanentError                trying again now will fail the same way
│   ├── FetchError                404/410 and other 4xx, not HTML, too large, bad URL
│   │   └── PageGoneError         404 or 410: the page was unpublished
│   ├── ExtractionError           no article on the page, or a page that is not an article
│   ├── StoreError                an unreadable or invalid snapshot, a broken index
│   └── ConfigError               a bad configuration value
└── (nothing else: library exceptions are wrapped at the module that calls the library)
"""

from __future__ import annotations


class ArticlewatchError(Exception):
    """Base of every articlewatch error; the message is one line naming the URL or file."""


class RetryableError(ArticlewatchError):
    """A failure that may go away on a later attempt."""


class PermanentError(ArticlewatchError):
    """A failure that will repeat if tried again now."""


class TransientFetchError(RetryableError):
    """Timeout, refused connection, server error or rate limit while fetching."""


class FetchError(PermanentError):
    """A response that cannot be an article page (4xx, not HTML, too large, bad URL)."""


class PageGoneError(FetchError):
    """The page answered 404 or 410."""


class ExtractionError(PermanentError):
    """The page holds no article text to track."""


class StoreError(PermanentError):
    """A snapshot file or the index cannot be read or written."""


class ConfigError(PermanentError):
    """A configuration value is invalid."""


def one_line(error: BaseException) -> str:
    """The error as a single line, for logs, JSON records and the CLI."""
    text = str(error) or type(error).__name__
    return " ".join(text.split())

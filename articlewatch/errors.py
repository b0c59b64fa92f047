"""The errors articlewatch raises, translated to one-line messages at the edges (CLI, flows).

ArticlewatchError                 every error of ours; str(err) is the one-line message
├── RetryableError                worth trying again later: the same request may succeed
│   ├── TransientFetchError       timeout, connection refused, 5xx, 429
│   └── NotifyError               an alert channel could not be reached or refused the alert
├── PermanentError                trying again now will fail the same way
│   ├── FetchError                404/410 and other 4xx, not HTML, too large, bad URL
│   │   ├── PageGoneError         404 or 410: the page was unpublished
│   │   └── RobotsDisallowedError the site's robots.txt forbids articlewatch this URL
│   ├── ExtractionError           no article on the page, or a page that is not an article
│   │   └── UnhealthyPageError    a bot wall, interstitial, error page or collapsed body instead
│   ├── StoreError                an unreadable or invalid snapshot, a broken index
│   └── ConfigError               a bad configuration value
└── (nothing else: library exceptions are wrapped at the module that calls the library)
"""

from __future__ import annotations

from .redact import redact_text


class ArticlewatchError(Exception):
    """Base of every articlewatch error; the message is one line naming the URL or file."""

    def __init__(self, message: str = "", *args: object) -> None:
        # Credentials in a URL the message names are redacted from the start: tracebacks and
        # Prefect's own task-failure logs show str(error) too, not only our edges.
        super().__init__(redact_text(str(message)), *args)


class RetryableError(ArticlewatchError):
    """A failure that may go away on a later attempt; `retry_after`: seconds the other side asked to wait."""

    def __init__(self, message: str = "", retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after

    def __reduce__(self) -> tuple[object, ...]:
        # Keep retry_after when the error is pickled (Prefect may copy task failures).
        return (type(self), (str(self), self.retry_after))


class PermanentError(ArticlewatchError):
    """A failure that will repeat if tried again now."""


class TransientFetchError(RetryableError):
    """Timeout, refused connection, server error or rate limit while fetching."""


class NotifyError(RetryableError):
    """An alert channel was down or refused the alert; the alert stays in the outbox for a later run."""


class FetchError(PermanentError):
    """A response that cannot be an article page (4xx, not HTML, too large, bad URL)."""


class PageGoneError(FetchError):
    """The page answered 404 or 410."""


class RobotsDisallowedError(FetchError):
    """The site's robots.txt disallows the URL for articlewatch."""


class ExtractionError(PermanentError):
    """The page holds no article text to track."""


class UnhealthyPageError(ExtractionError):
    """A page standing in for the article (bot wall, interstitial, error page, collapsed body); see reason."""

    def __init__(self, message: str = "", reason: str = "") -> None:
        super().__init__(message)
        self.reason = reason

    def __reduce__(self) -> tuple[object, ...]:
        # Keep the reason when the error is pickled (Prefect may copy task failures).
        return (type(self), (str(self), self.reason))


class StoreError(PermanentError):
    """A snapshot file or the index cannot be read or written."""


class ConfigError(PermanentError):
    """A configuration value is invalid."""


def one_line(error: BaseException) -> str:
    """The error as a single line, for logs, JSON records and the CLI; credentials in URLs redacted."""
    text = str(error) or type(error).__name__
    return redact_text(" ".join(text.split()))

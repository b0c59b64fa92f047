"""Changes and reports as self-contained HTML pages (inline CSS and SVG, no scripts), page text escaped."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from urllib.parse import urlsplit

from jinja2 import Environment, PackageLoader, select_autoescape

from ..diff import word_diff
from ..models import AUTHOR, METADATA, PUBLISHED, TITLE, UPDATED, URL, Change
from ..report import Report
from . import human_time, item_label, kind_label, summarize
from .timeline import timeline_svg

_BAR_MAX_PX = 120  # the widest size bar in a report's index


@cache
def _environment() -> Environment:
    # Autoescape on: article text is hostile input as far as the page is concerned.
    env = Environment(
        loader=PackageLoader("articlewatch.render", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(
        item_label=item_label,
        kind_label=kind_label,
        summarize=summarize,
        word_diff=word_diff,
        human_time=human_time,
        href=safe_href,
        timeline_svg=timeline_svg,
        shares_words=shares_words,
        metadata_kinds={URL, TITLE, AUTHOR, PUBLISHED, UPDATED, METADATA},
        worded_fields={TITLE, AUTHOR},  # fields long enough for an inline word diff
    )
    return env


def safe_href(url: str) -> str:
    """The URL when it is http(s), else "#": a link in a report never runs anything."""
    return url if urlsplit(url).scheme.lower() in ("http", "https") else "#"


def shares_words(before: str, after: str) -> bool:
    """Whether two texts keep any word in common (else an inline word diff only repeats them)."""
    return any(op == "equal" and text.strip() for op, text in word_diff(before, after))


def render_html(changes: Sequence[Change], title: str, generated_at: str) -> str:
    """A standalone HTML page showing each change: metadata on top, then word-level paragraph diffs."""
    template = _environment().get_template("changes.html.j2")
    return template.render(title=title, generated_at=generated_at, changes=changes)


def render_report_html(report: Report, title: str = "articlewatch: what changed") -> str:
    """The report as one standalone HTML page: an index, then each article with its timeline and diffs."""
    largest = max((article.size.total for article in report.articles), default=0)

    def bar_width(total: int) -> int:
        return max(2, round(_BAR_MAX_PX * total / largest)) if largest else 0

    template = _environment().get_template("report.html.j2")
    return template.render(title=title, report=report, period=period_text(report), bar_width=bar_width)


def period_text(report: Report) -> str:
    """The report's period in words ("Since 2018-08-01 00:00 UTC" or "All versions")."""
    return f"Since {human_time(report.since)}" if report.since else "All versions"

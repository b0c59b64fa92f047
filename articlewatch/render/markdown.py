"""A change as Markdown: deletions ~~struck~~, insertions **bold**, metadata first."""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..diff import word_diff
from ..models import PARAGRAPH_ADDED, PARAGRAPH_EDITED, PARAGRAPH_MOVED, PARAGRAPH_REMOVED, Change
from ..report import Report
from . import human_time, item_label, kind_label, summarize

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~])")


def escape_markdown(text: str) -> str:
    """Text with Markdown's special characters backslash-escaped, so page text cannot format."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def render_markdown(change: Change) -> str:
    """The change as a Markdown section: a heading, where and when, then each item."""
    where = " · ".join(
        part for part in (escape_markdown(change.sitename or ""), markdown_link(change.url)) if part
    )
    lines = [
        f"### {escape_markdown(_flat(change.title or change.url))}",
        "",
        f"{where} · version {change.from_version} → {change.to_version} ({human_time(change.to_fetched_at)})",
        "",
        *change_markdown_items(change),
    ]
    return "\n".join(lines) + "\n"


def change_markdown_items(change: Change) -> list[str]:
    """The summary and every item of a change as Markdown lines (no heading)."""
    lines = [f"*{escape_markdown(summarize(change))}*", ""]
    for item in change.items:
        lines.append(f"- **{escape_markdown(item_label(item))}**")
        if item.kind == PARAGRAPH_EDITED and item.before and item.after:
            runs = []
            for op, words in word_diff(_flat(item.before), _flat(item.after)):
                text = escape_markdown(words.strip())
                if text:
                    runs.append({"delete": f"~~{text}~~", "insert": f"**{text}**"}.get(op, text))
            lines.append(f"  > {' '.join(runs)}")
        elif item.kind == PARAGRAPH_MOVED:
            lines.append(f"  > {escape_markdown(_flat(item.after))}")
        else:
            quotes = []
            if item.before is not None and item.kind != PARAGRAPH_ADDED:
                quotes.append(f"  > ~~{escape_markdown(_flat(item.before))}~~")
            if item.after is not None and item.kind != PARAGRAPH_REMOVED:
                quotes.append(f"  > **{escape_markdown(_flat(item.after))}**")
            lines.append("\n  >\n".join(quotes))  # before and after as two quoted paragraphs
    return lines


def markdown_link(url: str) -> str:
    """A URL as a Markdown autolink, or as escaped text when it holds characters an autolink cannot."""
    if re.fullmatch(r"https?://[^\s<>]+", url):
        return f"<{url}>"
    return escape_markdown(url)


def _flat(text: str | None) -> str:
    return " ".join((text or "").split())


def render_report_markdown(report: Report, title: str = "articlewatch: what changed") -> str:
    """The report as Markdown: an index table, then each article with its versions and diffs."""
    from .html import period_text

    lines = [
        f"# {escape_markdown(title)}",
        "",
        f"{period_text(report)} · {len(report.articles)} article(s) changed, {report.change_count} "
        f"change(s) · generated {human_time(report.generated_at)}",
        "",
    ]
    lines += [f"- could not read: {escape_markdown(problem)}" for problem in report.problems]
    if not report.articles:
        return "\n".join([*lines, "No article changed in this period.", ""])
    lines += ["| site | headline | last change | kinds | size |", "| --- | --- | --- | --- | --- |"]
    for article in report.articles:
        size = article.size
        lines.append(
            f"| {_cell(article.site or '')} | {_cell(article.headline or article.url)} "
            f"| {human_time(article.last_changed)} | {', '.join(kind_label(k) for k in article.kinds)} "
            f"| {f'+{size.added} −{size.removed} words' if size.total else 'no words'} |"
        )
    for article in report.articles:
        lines += ["", f"## {escape_markdown(article.headline or article.url)}", ""]
        where = (escape_markdown(article.site or ""), markdown_link(article.url))
        lines += [" · ".join(part for part in where if part), ""]
        for point in article.timeline:
            what = summarize(point.change) if point.change else "first version"
            mark = "" if point.in_period or point.change is None else " (before this report)"
            when = human_time(point.fetched_at)
            lines.append(f"- v{point.version} · {when} · {escape_markdown(what)}{mark}")
        for change in article.changes:
            lines += ["", f"### Version {change.from_version} → {change.to_version}", ""]
            lines += [f"found {human_time(change.to_fetched_at)}", "", *change_markdown_items(change)]
    return "\n".join(lines) + "\n"


def render_run_markdown(changes: Sequence[Change], title: str, limit: int = 50) -> str:
    """The changes one check run found, as Markdown (a Prefect artifact): a table, then the diffs."""
    lines = [f"# {escape_markdown(title)}", "", "| site | headline | version | kinds |"]
    lines.append("| --- | --- | --- | --- |")
    for change in changes:
        lines.append(
            f"| {_cell(change.sitename or '')} | {_cell(change.title or change.url)} "
            f"| {change.from_version} → {change.to_version} "
            f"| {', '.join(kind_label(k) for k in change.kinds)} |"
        )
    for change in changes[:limit]:
        lines += ["", render_markdown(change).rstrip("\n")]
    if len(changes) > limit:
        lines += ["", f"*{len(changes) - limit} more changes: see `articlewatch report`.*"]
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    # A table cell: one line, and its pipes escaped with the rest of Markdown's specials.
    return escape_markdown(" ".join(text.split()))

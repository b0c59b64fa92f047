"""A change as Markdown: deletions ~~struck~~, insertions **bold**, metadata first."""

from __future__ import annotations

import re

from ..diff import word_diff
from ..models import PARAGRAPH_ADDED, PARAGRAPH_EDITED, PARAGRAPH_MOVED, PARAGRAPH_REMOVED, Change
from . import item_label, summarize

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~])")


def escape_markdown(text: str) -> str:
    """Text with Markdown's special characters backslash-escaped, so page text cannot format."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def render_markdown(change: Change) -> str:
    """The change as a Markdown section."""
    title = escape_markdown(change.title or change.url)
    lines = [
        f"### {title}",
        "",
        f"{escape_markdown(change.sitename or '')} · <{change.url}> · version {change.from_version} "
        f"→ {change.to_version} ({change.to_fetched_at})".lstrip(" ·"),
        "",
        f"*{escape_markdown(summarize(change))}*",
        "",
    ]
    for item in change.items:
        lines.append(f"- **{escape_markdown(item_label(item))}**")
        if item.kind == PARAGRAPH_EDITED and item.before and item.after:
            runs = []
            for op, words in word_diff(item.before, item.after):
                text = escape_markdown(words.strip())
                if not text:
                    continue
                runs.append({"delete": f"~~{text}~~", "insert": f"**{text}**"}.get(op, text))
            lines.append(f"  > {' '.join(runs)}")
        elif item.kind == PARAGRAPH_MOVED:
            lines.append(f"  > {escape_markdown(item.after or '')}")
        else:
            if item.before is not None and item.kind != PARAGRAPH_ADDED:
                lines.append(f"  > ~~{escape_markdown(item.before)}~~")
            if item.after is not None and item.kind != PARAGRAPH_REMOVED:
                lines.append(f"  > **{escape_markdown(item.after)}**")
    return "\n".join(lines) + "\n"

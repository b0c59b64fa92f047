"""A change for the terminal: rich Text with a colored word diff."""

from __future__ import annotations

from rich.console import Console
from rich.text import Text

from ..diff import word_diff
from ..models import PARAGRAPH_ADDED, PARAGRAPH_EDITED, PARAGRAPH_MOVED, PARAGRAPH_REMOVED, Change
from . import item_label, summarize


def change_text(change: Change) -> Text:
    """The change as styled rich Text: a heading, then each item with its before/after or word diff."""
    out = Text()
    heading = " · ".join(part for part in (change.sitename, change.title or change.url) if part)
    out.append(heading + "\n", style="bold")
    out.append(
        f"{change.url}\nversion {change.from_version} ({change.from_fetched_at}) -> "
        f"version {change.to_version} ({change.to_fetched_at})\n",
        style="dim",
    )
    out.append(summarize(change) + "\n", style="italic")
    for item in change.items:
        out.append(f"\n[{item_label(item)}]\n", style="cyan")
        if item.kind == PARAGRAPH_EDITED and item.before and item.after:
            for op, words in word_diff(item.before, item.after):
                style = {"delete": "red strike", "insert": "green underline"}.get(op, "")
                out.append(words, style=style)
            out.append("\n")
        elif item.kind == PARAGRAPH_MOVED:
            out.append(f"  {item.after}\n")
        else:
            if item.before is not None and item.kind != PARAGRAPH_ADDED:
                out.append(f"- {item.before}\n", style="red")
            if item.after is not None and item.kind != PARAGRAPH_REMOVED:
                out.append(f"+ {item.after}\n", style="green")
    return out


def render_text(change: Change, color: bool = False, width: int = 100) -> str:
    """The change as a terminal string, with ANSI colors when asked."""
    console = Console(
        width=width, record=True, force_terminal=color, color_system="standard" if color else None
    )
    with console.capture() as capture:
        console.print(change_text(change), soft_wrap=True)
    return capture.get()

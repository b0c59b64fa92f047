"""A change for the terminal: rich Text with a colored word diff ([-old-]{+new+} markers without color)."""

from __future__ import annotations

from rich.console import Console
from rich.text import Text

from ..diff import word_diff
from ..models import (
    AUTHOR,
    PARAGRAPH_ADDED,
    PARAGRAPH_EDITED,
    PARAGRAPH_MOVED,
    PARAGRAPH_REMOVED,
    TITLE,
    Change,
)
from . import human_time, item_label, summarize

# Items shown as one word diff when both sides exist: edits, and headline and byline rewrites.
_WORD_DIFFED = {PARAGRAPH_EDITED, TITLE, AUTHOR}


def change_text(change: Change, markers: bool = False) -> Text:
    """The change as styled rich Text: a heading, then each item with its before/after or word diff.

    `markers` also brackets deletions and insertions as git's --word-diff does, for output
    without color (a pipe, a file), where the styles are lost.
    """
    out = Text()
    heading = " · ".join(part for part in (change.sitename, change.title or change.url) if part)
    out.append(heading + "\n", style="bold")
    out.append(
        f"{change.url}\nversion {change.from_version} ({human_time(change.from_fetched_at)}) -> "
        f"version {change.to_version} ({human_time(change.to_fetched_at)})\n",
        style="dim",
    )
    out.append(summarize(change) + "\n", style="italic")
    for item in change.items:
        out.append(f"\n[{item_label(item)}]\n", style="cyan")
        reworded_move = item.kind == PARAGRAPH_MOVED and item.before != item.after
        if (item.kind in _WORD_DIFFED or reworded_move) and item.before and item.after:
            for op, words in word_diff(item.before, item.after):
                style = {"delete": "red strike", "insert": "green underline"}.get(op, "")
                if markers and op != "equal":
                    core = words.rstrip()
                    words = ("[-" if op == "delete" else "{+") + core + ("-]" if op == "delete" else "+}")
                    words += " "
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
    """The change as a terminal string: ANSI colors when asked, else [-deleted-] and {+inserted+} marks."""
    console = Console(
        width=width, record=True, force_terminal=color, color_system="standard" if color else None
    )
    with console.capture() as capture:
        console.print(change_text(change, markers=not color), soft_wrap=True)
    return capture.get()

"""Changes as one self-contained HTML page (inline CSS, no scripts); every page text is escaped."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from jinja2 import Environment, PackageLoader, select_autoescape

from ..diff import word_diff
from ..models import METADATA, PARAGRAPH_EDITED, Change
from . import item_label, summarize


@cache
def _environment() -> Environment:
    # Autoescape on: article text is hostile input as far as the report is concerned.
    env = Environment(
        loader=PackageLoader("articlewatch.render", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(item_label=item_label, summarize=summarize, word_diff=word_diff)
    return env


def render_html(changes: Sequence[Change], title: str, generated_at: str) -> str:
    """A standalone HTML page showing each change: metadata on top, then word-level paragraph diffs."""
    template = _environment().get_template("changes.html.j2")
    return template.render(
        title=title,
        generated_at=generated_at,
        changes=changes,
        metadata_kinds={"title", "author", "published", "updated", METADATA},
        edited=PARAGRAPH_EDITED,
    )

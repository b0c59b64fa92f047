"""The demo articles: four first versions (from data/*.json) and the newsroom's second edition."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from importlib import resources
from typing import Any

__all__ = ["DemoArticle", "Furniture", "later_versions", "seed_articles"]


@dataclass(frozen=True)
class Furniture:
    """Page chrome that changes without the article changing."""

    related: tuple[str, ...]  # titles of related-article links
    comment_count: int
    share_count: int
    relative_age: str  # e.g. "6 years ago"
    most_read: tuple[str, ...] = ()


def _no_furniture() -> Furniture:
    """An empty Furniture, the default for articles built by hand."""
    return Furniture(related=(), comment_count=0, share_count=0, relative_age="")


@dataclass(frozen=True)
class DemoArticle:
    """One version of a demo article as a newsroom page shows it."""

    slug: str  # "rt" | "yenisafak" | "cnbc" | "ukpaper"
    site: str  # site name shown on the page
    path: str  # URL path on the newsroom
    language: str  # "en", "en-US", "en-GB"
    title: str
    description: str
    author: str
    published: str  # ISO 8601 with offset
    updated: str | None  # ISO 8601 with offset, or None
    paragraphs: tuple[str, ...]
    tags: tuple[str, ...] = ()
    caption: str = ""
    furniture: Furniture = field(default_factory=_no_furniture)


def _article_from_json(data: dict[str, Any]) -> DemoArticle:
    """Build a DemoArticle from one decoded data file (JSON lists become tuples)."""
    furniture = dict(data.pop("furniture"))
    furniture["related"] = tuple(furniture["related"])
    furniture["most_read"] = tuple(furniture.get("most_read", ()))
    data["paragraphs"] = tuple(data["paragraphs"])
    data["tags"] = tuple(data.get("tags", ()))
    # Unknown or missing keys raise TypeError here, so a typo in a data file fails loudly.
    return DemoArticle(**data, furniture=Furniture(**furniture))


# The seeds' order (README.md), so listings read the same as the seed documents.
_SEED_ORDER = ("rt", "yenisafak", "cnbc", "ukpaper")


def _seed_rank(slug: str) -> tuple[int, str]:
    """Sort key: known slugs in seed order, any others after them by name."""
    return (_SEED_ORDER.index(slug), "") if slug in _SEED_ORDER else (len(_SEED_ORDER), slug)


def seed_articles() -> dict[str, DemoArticle]:
    """The four first versions, keyed by slug (loaded from data/*.json via importlib.resources)."""
    data_dir = resources.files("articlewatch.demo").joinpath("data")
    loaded = [
        _article_from_json(json.loads(entry.read_text(encoding="utf-8")))
        for entry in data_dir.iterdir()
        if entry.name.endswith(".json")
    ]
    return {a.slug: a for a in sorted(loaded, key=lambda a: _seed_rank(a.slug))}


# The second edition's scripted changes, one per kind of change the pipeline must tell apart.
_YENISAFAK_UPDATED = "2018-08-07T17:48:00+03:00"
_CNBC_UPDATED = "2018-07-19T16:41:00-04:00"
_CNBC_ANCHOR = "unanimous vote"
_CNBC_NEW_PARAGRAPH = (
    "The Senate later voted 98-0 to approve the nonbinding resolution, which says the United "
    "States should refuse to make any current or former U.S. official available for questioning "
    "by the Russian government."
)
_UKPAPER_TITLE = "Trump backs down on Putin's 'incredible offer' to question Americans"
_RT_FURNITURE = Furniture(
    related=(
        "Trump invites Putin to Washington for second summit this autumn",
        "Kremlin says Putin is open to visiting the White House",
        "McFaul calls Moscow's request to question him 'ridiculous'",
        "Senate resolution on Russian questioning passes without debate",
    ),
    comment_count=377,
    share_count=5942,
    relative_age="7 years ago",
    most_read=(
        "Russian diplomats hear Putin's first account of the summit",
        "Browder says Interpol notice was politically motivated",
        "Heatwave grips Moscow as temperatures break records",
    ),
)


def _insert_after(paragraphs: tuple[str, ...], anchor: str, new: str) -> tuple[str, ...]:
    """Insert `new` after the first paragraph containing `anchor`."""
    for index, paragraph in enumerate(paragraphs):
        if anchor in paragraph:
            return paragraphs[: index + 1] + (new,) + paragraphs[index + 1 :]
    raise ValueError(f"no paragraph mentions {anchor!r}")


def _unchanged(article: DemoArticle) -> DemoArticle:
    """The article as it was: this edition leaves it alone."""
    return article


def later_versions(first: dict[str, DemoArticle]) -> dict[str, DemoArticle]:
    """The newsroom's second edition of `first` (unknown slugs pass through unchanged)."""
    edits: dict[str, Callable[[DemoArticle], DemoArticle]] = {
        # Only the update stamp moves: body and furniture stay byte-identical.
        "yenisafak": lambda a: replace(a, updated=_YENISAFAK_UPDATED),
        "cnbc": lambda a: replace(
            a,
            paragraphs=_insert_after(a.paragraphs, _CNBC_ANCHOR, _CNBC_NEW_PARAGRAPH),
            updated=_CNBC_UPDATED,
        ),
        # A headline rewrite with no change to the dates the page declares.
        "ukpaper": lambda a: replace(a, title=_UKPAPER_TITLE),
        # Page chrome only: an extractor that is doing its job sees no change here.
        "rt": lambda a: replace(a, furniture=_RT_FURNITURE),
    }
    return {slug: edits.get(slug, _unchanged)(article) for slug, article in first.items()}

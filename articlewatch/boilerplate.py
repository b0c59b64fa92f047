"""Per-site boilerplate, learned from what repeats across a site's articles.

A line (a paragraph's comparison key) that appears in many different articles of one host is page
furniture the extractor let through: a "most read" headline, a newsletter promotion, a standard
disclaimer. The store's index counts, per host, the articles each line hash was seen in (every
stored version adds the lines of its article, once per article). At comparison time the lines of
the two versions that reach FURNITURE_MIN_PAGES are left out of both sides. The statistics live in
the index, so the learning improves with every article stored and never rewrites a snapshot;
`reindex` rebuilds them from the snapshot files.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .align import similarity
from .models import Article
from .normalize import comparable_paragraphs, line_hash

if TYPE_CHECKING:
    from .store import SnapshotStore

# In this many articles of one host, a line is the site's furniture rather than one article's text.
FURNITURE_MIN_PAGES = 3
# Furniture is a small part of an article; past this share of its lines, the "furniture" is the text.
MAX_FURNITURE_SHARE = 0.5
# A new line this close to a furniture line the version dropped is that furniture, reworded.
SUCCESSOR_SIMILARITY = 0.6


def line_hashes(article: Article) -> frozenset[str]:
    """Hashes of an article's comparable lines, as the per-host statistics count them."""
    return frozenset(line_hash(key) for _, key in comparable_paragraphs(article.paragraphs))


def site_furniture(store: SnapshotStore, host: str, old: Article, new: Article) -> frozenset[str]:
    """The lines of two versions of an article that are the host's furniture.

    Known furniture: lines the host repeats in FURNITURE_MIN_PAGES articles or more. Also a line
    new to the site that stands in for a furniture line the new version dropped and says nearly
    the same ("Get the Morning briefing" -> "Get the Evening briefing"): the site changed its
    furniture everywhere, and that is not news in this article.
    """
    old_keys = dict(comparable_paragraphs(old.paragraphs))
    new_keys = dict(comparable_paragraphs(new.paragraphs))
    hashes = {line_hash(key): key for key in (*old_keys.values(), *new_keys.values())}
    if not hashes:
        return frozenset()
    known = store.common_lines(host, frozenset(hashes), FURNITURE_MIN_PAGES)
    old_hashes = {line_hash(key) for key in old_keys.values()}
    if len(known & old_hashes) > len(old_hashes) * MAX_FURNITURE_SHARE:
        # An article made mostly of lines other articles of the host share is a copy (one story
        # under several URLs, wire copy run twice): its text is its own, not the site's furniture.
        # Judged on the stored version alone: the new version's edited lines are new to the
        # host, and counting them would let an edit to a short copy pass for furniture.
        return frozenset()
    dropped = [
        hashes[h] for h in known if hashes[h] in old_keys.values() and hashes[h] not in new_keys.values()
    ]
    successors = {
        line_hash(key)
        for key in set(new_keys.values()) - set(old_keys.values())
        if line_hash(key) not in known
        and any(similarity(key, gone) >= SUCCESSOR_SIMILARITY for gone in dropped)
    }
    return known | successors

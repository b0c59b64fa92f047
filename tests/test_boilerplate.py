"""Per-site boilerplate: lines a host repeats across its articles are furniture, learned in the index."""

from __future__ import annotations

from pathlib import Path

from article_pages import BODY, article_page

from articlewatch.boilerplate import FURNITURE_MIN_PAGES, line_hashes, site_furniture
from articlewatch.demo.newsroom import Newsroom
from articlewatch.fetch import make_client
from articlewatch.models import Article
from articlewatch.normalize import comparison_key, line_hash
from articlewatch.pipeline import check_url
from articlewatch.store import SnapshotStore

PROMO = "Get the Riverside Morning briefing: the five stories you need before breakfast."
PROMO_LATER = "Get the Riverside Evening briefing: the five stories you need before bed."
# Other articles of the same site: text of their own (a dateline makes every line differ).
OTHER_BODIES = tuple(
    tuple(f"{town}: {paragraph}" for paragraph in BODY) for town in ("ALDER", "BAYSIDE", "CEDAR")
)


def _with_promo(body: tuple[str, ...], promo: str = PROMO) -> str:
    return article_page((*body, promo))


def test_a_line_on_enough_articles_of_a_host_is_furniture(newsroom: Newsroom, store: SnapshotStore) -> None:
    with make_client() as client:
        for n, body in enumerate(OTHER_BODIES):
            url = newsroom.put(f"/local/{n}", _with_promo(body))
            assert check_url(url, store, client).outcome == "new"
        url = newsroom.put("/local/park", _with_promo(BODY))
        assert check_url(url, store, client).outcome == "new"
        # The site swaps its promotion on every page: no article of it changed.
        newsroom.put("/local/park", _with_promo(BODY, PROMO_LATER))
        assert check_url(url, store, client).outcome == "unchanged"
        # A real edit next to the furniture is still reported, and only the edit.
        edited = (*BODY[:1], BODY[1].replace("next spring", "next summer"), *BODY[2:])
        newsroom.put("/local/park", _with_promo(edited))
        result = check_url(url, store, client)
    assert result.outcome == "changed"
    assert [(c.kind, c.after) for c in result.changes] == [("paragraph_edited", edited[1])]


def test_a_line_on_too_few_articles_is_article_text(newsroom: Newsroom, store: SnapshotStore) -> None:
    with make_client() as client:
        for n, body in enumerate(OTHER_BODIES[: FURNITURE_MIN_PAGES - 2]):
            check_url(newsroom.put(f"/local/{n}", _with_promo(body)), store, client)
        url = newsroom.put("/local/park", _with_promo(BODY))
        check_url(url, store, client)
        newsroom.put("/local/park", _with_promo(BODY, PROMO_LATER))
        result = check_url(url, store, client)
    assert result.outcome == "changed"
    assert [(c.kind, c.before, c.after) for c in result.changes] == [("paragraph_edited", PROMO, PROMO_LATER)]


def test_statistics_are_per_host_and_count_each_article_once(store: SnapshotStore) -> None:
    promo = line_hash(comparison_key(PROMO))
    with Newsroom() as site, Newsroom() as other_site, make_client() as client:
        url = site.put("/a", _with_promo(BODY))
        for _ in range(FURNITURE_MIN_PAGES + 1):  # versions of one article are one article
            check_url(url, store, client)
            site.put("/a", _with_promo((*BODY, f"Update {_}: more to come.")))
        for n, body in enumerate(OTHER_BODIES):
            check_url(other_site.put(f"/b/{n}", _with_promo(body)), store, client)
        host, other_host = store.latest(url).host, store.latest(other_site.url("/b/0")).host
    promo_article = Article(paragraphs=(PROMO, "A line of this article's own.", "And another."))
    assert site_furniture(store, host, promo_article, promo_article) == frozenset()
    assert site_furniture(store, other_host, promo_article, promo_article) == {promo}


def test_reindex_rebuilds_the_statistics(newsroom: Newsroom, store_dir: Path) -> None:
    with SnapshotStore(store_dir) as store, make_client() as client:
        for n, body in enumerate(OTHER_BODIES):
            check_url(newsroom.put(f"/local/{n}", _with_promo(body)), store, client)
        host = store.latest(newsroom.url("/local/0")).host
        article = Article(paragraphs=(PROMO, *OTHER_BODIES[0]))
        learned = site_furniture(store, host, article, article)
        store.rebuild_index()
        assert site_furniture(store, host, article, article) == learned
    assert learned == {line_hash(comparison_key(PROMO))}


def test_a_reworded_furniture_line_is_still_furniture(newsroom: Newsroom, store: SnapshotStore) -> None:
    with make_client() as client:
        for n, body in enumerate(OTHER_BODIES):
            check_url(newsroom.put(f"/local/{n}", _with_promo(body)), store, client)
        host = store.latest(newsroom.url("/local/0")).host
    old = Article(paragraphs=(*BODY, PROMO))
    reworded = Article(paragraphs=(*BODY, PROMO_LATER))
    unrelated = Article(
        paragraphs=(*BODY, "The council will meet again on December 3 to vote on the budget.")
    )
    assert line_hash(comparison_key(PROMO_LATER)) in site_furniture(store, host, old, reworded)
    assert site_furniture(store, host, old, unrelated) == {line_hash(comparison_key(PROMO))}


def test_line_hashes_skip_what_is_never_text() -> None:
    article = Article(
        paragraphs=("Real text of the article here.", "12 comments", "Updated: 20 Nov 2019 10:15")
    )
    assert line_hashes(article) == {line_hash("Real text of the article here.")}


def test_copies_of_one_story_do_not_make_its_text_furniture(newsroom: Newsroom, store: SnapshotStore) -> None:
    # The same story under several URLs of one site (sections, syndication): every line repeats
    # across articles, yet an edit to one copy is news.
    with make_client() as client:
        for n in range(FURNITURE_MIN_PAGES + 1):
            check_url(newsroom.put(f"/section-{n}/park", _with_promo(BODY)), store, client)
        url = newsroom.url("/section-0/park")
        edited = (*BODY[:1], BODY[1].replace("next spring", "next summer"), *BODY[2:])
        newsroom.put("/section-0/park", _with_promo(edited))
        result = check_url(url, store, client)
    assert result.outcome == "changed"
    assert [(c.kind, c.after) for c in result.changes] == [("paragraph_edited", edited[1])]


def test_an_edit_to_a_one_paragraph_copy_is_news(newsroom: Newsroom, store: SnapshotStore) -> None:
    # A short wire item run under several URLs: its single line is shared, and the edited line
    # is new to the site; the copy is judged by its stored version, so the edit is not furniture.
    short = ("A single long paragraph of wire copy that several sections of the site run as it is.",)
    with make_client() as client:
        for n in range(FURNITURE_MIN_PAGES + 2):
            check_url(newsroom.put(f"/wire-{n}/item", article_page(short)), store, client)
        edited = (short[0].replace("several sections", "several busy sections"),)
        newsroom.put("/wire-1/item", article_page(edited))
        result = check_url(newsroom.url("/wire-1/item"), store, client)
    assert result.outcome == "changed"
    assert [c.kind for c in result.changes] == ["paragraph_edited"]

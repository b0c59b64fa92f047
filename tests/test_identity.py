"""Which URLs a fetched page answers to, and which history it continues."""

from __future__ import annotations

from articlewatch.identity import page_urls


def test_canonical_and_final_url_both_name_the_page() -> None:
    assert page_urls("https://news.example/a?x=1", "https://news.example/story-a") == [
        "https://news.example/story-a",
        "https://news.example/a?x=1",
    ]


def test_a_canonical_naming_the_site_root_names_nothing() -> None:
    # Template mistakes and image CDNs give many articles of a site one "canonical" home page:
    # taken at its word, it would join all of them into a single history.
    for root in ("https://news.example/", "https://news.example", "https://cdn.news.example/"):
        assert page_urls("https://news.example/story-a", root) == ["https://news.example/story-a"]


def test_a_watched_home_page_still_answers_to_its_own_url() -> None:
    assert page_urls("https://news.example/", "https://news.example/") == [
        "https://news.example/",
        "https://news.example/",
    ]
    assert page_urls("https://news.example/", None) == ["https://news.example/"]


def test_unusable_canonicals_are_skipped() -> None:
    assert page_urls("https://news.example/a", "/relative/path") == ["https://news.example/a"]
    assert page_urls("https://news.example/a", "javascript:void(0)") == ["https://news.example/a"]

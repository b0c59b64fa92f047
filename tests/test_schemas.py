"""Record validation: the compiled validator answers as the reference one does; errors name the file."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from test_store import URL, candidate

from articlewatch import schemas
from articlewatch.errors import StoreError
from articlewatch.models import Article
from articlewatch.store import snapshot_to_dict
from articlewatch.urls import article_key


def valid_snapshot() -> dict[str, Any]:
    base = candidate()
    snapshot = replace(
        base,
        version=3,
        article=Article(
            title="Summit ends",
            author="Jane Doe",
            published="2018-07-19",
            updated="2018-07-19T17:48+02:00",
            tags=("World",),
            paragraphs=("One.", "Two."),
        ),
        http=replace(base.http, etag='"abc"'),
    )
    return snapshot_to_dict(snapshot, "20261122T080000.000001Z.html.gz")


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    *parents, last = path.split("/")

    def change(document: dict[str, Any]) -> None:
        for part in parents:
            document = document[part]
        document[last] = value

    return change


def _drop(path: str) -> Callable[[dict[str, Any]], None]:
    *parents, last = path.split("/")

    def change(document: dict[str, Any]) -> None:
        for part in parents:
            document = document[part]
        del document[last]

    return change


# One of each way a record goes wrong: type, required, additionalProperties, enum, pattern,
# minimum/maximum, minItems, minLength, format, $ref; and the edge cases where Python's regex
# and ECMA 262's differ ("$" before a final newline, Unicode digits for \d).
MUTATIONS: dict[str, Callable[[dict[str, Any]], None]] = {
    "valid as written": lambda document: None,
    "a null etag": _set("http/etag", None),
    "no title": _set("article/title", None),
    "schema version 2": _set("schema_version", 2),
    "url not http": _set("url", "ftp://news.example.com/a"),
    "key with a newline": _set("key", article_key(URL) + "\n"),
    "key too short": _set("key", "abc"),
    "host with upper case": _set("host", "News.example.com"),
    "version 0": _set("version", 0),
    "version as text": _set("version", "3"),
    "version as a float": _set("version", 3.0),
    "fetched_at not a date-time": _set("fetched_at", "yesterday"),
    "fetched_at without a zone": _set("fetched_at", "2026-11-22T08:00:00"),
    "fetched_at on day 32": _set("fetched_at", "2026-11-32T08:00:00Z"),
    "status 700": _set("http/status", 700),
    "no final_url": _drop("http/final_url"),
    "extra http field": _set("http/via", "proxy"),
    "raw file not gzip": _set("raw/file", "20261122T080000Z.html"),
    "negative raw bytes": _set("raw/bytes", -1),
    "options not an object": _set("extractor/options", []),
    "extractor version not text": _set("extractor/version", 2),
    "fingerprint in capitals": _set("fingerprint", "A" * 64),
    "no paragraphs": _set("article/paragraphs", []),
    "an empty paragraph": _set("article/paragraphs", ["One.", ""]),
    "a paragraph not text": _set("article/paragraphs", ["One.", 2]),
    "a tag not text": _set("article/tags", [None]),
    "published as a week": _set("article/published", "2018-W29"),
    "published in Arabic-Indic digits": _set("article/published", "٢٠١٨-٠٧-١٩"),
    "published with a newline": _set("article/published", "2018-07-19\n"),
    "no article": _drop("article"),
    "extra top-level field": _set("comment", "x"),
}


@pytest.mark.parametrize("mutation", list(MUTATIONS))
def test_validate_refuses_exactly_what_the_reference_validator_refuses(mutation: str) -> None:
    document = copy.deepcopy(valid_snapshot())
    MUTATIONS[mutation](document)
    reference_errors = list(schemas.validator("snapshot").iter_errors(document))
    if reference_errors:
        with pytest.raises(StoreError, match=r"^store/a\.json: does not match snapshot schema at "):
            schemas.validate("snapshot", document, "store/a.json")
    else:
        schemas.validate("snapshot", document, "store/a.json")


def test_the_mutations_cover_both_answers_and_the_compiled_validator_refuses_the_plain_errors() -> None:
    refused = [
        name
        for name, change in MUTATIONS.items()
        if (document := copy.deepcopy(valid_snapshot())) is not None
        and change(document) is None
        and not schemas.fast_validator("snapshot").is_valid(document)
    ]
    # Everything but the valid cases; also the three the reference accepts, where Python's
    # regex is the looser one (validate then lets the reference decide).
    assert set(MUTATIONS) - set(refused) == {
        "valid as written",
        "a null etag",
        "no title",
        "version as a float",  # 3.0 is an integer to JSON Schema, and to both validators
    }
    looser_in_python = {"published in Arabic-Indic digits", "published with a newline", "key with a newline"}
    assert looser_in_python <= set(refused)


def test_a_value_json_cannot_hold_is_an_error_naming_the_file_not_a_crash() -> None:
    document = valid_snapshot()
    document["fetched_at"] = datetime(2026, 11, 22, tzinfo=UTC)
    with pytest.raises(StoreError, match=r"^store/a\.json: does not match snapshot schema at fetched_at"):
        schemas.validate("snapshot", document, "store/a.json")

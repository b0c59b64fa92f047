"""One shard at a time, as `articlewatch check --shard I/K` runs it: each shard checks the due
watches of its own hosts, together they check every watch once, and bad values are usage errors."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sites import Site, sites
from typer.testing import CliRunner

from articlewatch.cli import app
from articlewatch.errors import ConfigError
from articlewatch.fetch import utc_now
from articlewatch.politeness import host_of
from articlewatch.store import SnapshotStore

SIZES = {"metro": 9, "sport": 5, "world": 4, "culture": 3, "science": 2}


@pytest.fixture(scope="module")
def pages() -> Iterator[list[Site]]:
    """The loopback sites for the module."""
    with sites(SIZES) as started:
        yield started


def test_the_shards_of_a_pass_split_it_by_host(
    prefect_server: None, tmp_path: Path, pages: list[Site]
) -> None:
    from flows.check import check_articles

    urls = [url for site in pages for url in site.urls()]
    with SnapshotStore(tmp_path) as store:
        for url in urls:
            store.add_watch(url, utc_now())
    checked: dict[str, list[str]] = {}
    for shard in ("1/2", "2/2"):
        records = check_articles(store=str(tmp_path), shard=shard)
        assert {record["outcome"] for record in records} == {"new"}
        checked[shard] = [record["url"] for record in records]
    assert sorted(checked["1/2"] + checked["2/2"]) == sorted(urls)
    hosts = {shard: {host_of(url) for url in part} for shard, part in checked.items()}
    assert hosts["1/2"] and hosts["2/2"] and not hosts["1/2"] & hosts["2/2"]
    # Each shard kept the due order of its watches.
    assert checked["1/2"] == [url for url in urls if url in checked["1/2"]]
    # Nothing is due any more: a shard run now checks nothing.
    assert check_articles(store=str(tmp_path), shard="1/2") == []


def test_a_shard_takes_no_urls_and_needs_a_valid_plan(prefect_server: None, tmp_path: Path) -> None:
    from flows.check import check_articles

    with pytest.raises(ConfigError, match="not URLs"):
        check_articles(urls=["http://127.0.0.1:9/x"], store=str(tmp_path), shard="1/2")
    with pytest.raises(ConfigError, match="outside 1..2"):
        check_articles(store=str(tmp_path), check_all=True, shard="1/2", shard_plan={"a.example": 3})


@pytest.mark.parametrize(
    "args, message",
    [
        (["--shard", "3/2"], "out of range"),
        (["--shard", "half"], "expected I/K"),
        (["--shard", "1/2", "http://127.0.0.1:9/x"], "not URLs"),
    ],
)
def test_bad_shard_options_are_usage_errors(tmp_path: Path, args: list[str], message: str) -> None:
    result = CliRunner().invoke(app, ["--store", str(tmp_path), "check", *args])
    assert result.exit_code == 2 and message in " ".join(result.output.split()), result.output

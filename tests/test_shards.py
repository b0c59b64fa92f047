"""Shards: parsing I/K, whole hosts per shard, stable and balanced placement; host-grouped batches."""

from __future__ import annotations

from collections import Counter

import pytest

from articlewatch.config import load_settings
from articlewatch.errors import ConfigError
from articlewatch.remote import host_batches
from articlewatch.shards import (
    Shard,
    ShardPlan,
    hashed_shard,
    host_counts,
    parse_shard,
    plan_shards,
    shard_urls,
)


def urls_of(sizes: dict[str, int]) -> list[str]:
    """`count` article URLs on each host, interleaved as a watchlist would have them."""
    return [f"https://{host}/a/{n}" for n in range(max(sizes.values())) for host in sizes if n < sizes[host]]


@pytest.mark.parametrize(
    "text, shard", [("1/1", Shard(1, 1)), ("2/4", Shard(2, 4)), (" 4 / 4 ", Shard(4, 4))]
)
def test_parse_shard(text: str, shard: Shard) -> None:
    assert parse_shard(text) == shard
    assert str(parse_shard(text)) == f"{shard.index}/{shard.count}"


@pytest.mark.parametrize("text", ["", "2", "0/4", "5/4", "1/0", "-1/2", "a/b", "1/2/3", "1.5/2"])
def test_bad_shards_are_one_line_errors_naming_the_value(text: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_shard(text)
    message = str(caught.value)
    assert "\n" not in message and repr(text) in message and message.startswith("shard")


def test_every_url_is_in_exactly_one_shard_and_hosts_are_never_split() -> None:
    sizes = {f"site{n}.example": 1 + (n * 7) % 23 for n in range(60)} | {"big.example": 400}
    urls = urls_of(sizes)
    for count in (1, 2, 3, 5):
        plan = plan_shards(host_counts(urls), count)
        parts = [shard_urls(urls, Shard(index, count), plan) for index in range(1, count + 1)]
        assert sorted(url for part in parts for url in part) == sorted(urls)
        owners: dict[str, set[int]] = {}
        for index, part in enumerate(parts, start=1):
            for host in host_counts(part):
                owners.setdefault(host, set()).add(index)
        assert all(len(shards) == 1 for shards in owners.values())


def test_bin_packing_balances_hosts_of_very_different_sizes() -> None:
    # Three big sites and a long tail: hashing alone would put two big ones together half the time.
    sizes = {"a.example": 300, "b.example": 290, "c.example": 280} | {f"t{n}.example": 5 for n in range(120)}
    plan = plan_shards(sizes, 3)
    loads = Counter()
    for host, size in sizes.items():
        loads[plan.shard_of(host)] += size
    assert len({plan.shard_of(host) for host in ("a.example", "b.example", "c.example")}) == 3
    assert max(loads.values()) - min(loads.values()) <= 10, loads


def test_placement_is_stable_and_the_tail_hashes() -> None:
    sizes = {f"h{n}.example": n % 9 + 1 for n in range(600)}
    plan = plan_shards(sizes, 4, max_placed=50)
    again = plan_shards(dict(reversed(sizes.items())), 4, max_placed=50)  # order of the input
    assert plan == again and len(plan.placed) == 50
    tail = [host for host in sizes if host not in plan.placed]
    assert all(plan.shard_of(host) == hashed_shard(host, 4) for host in tail)
    # A new small host elsewhere moves no placed host, and goes where its name hashes.
    grown = plan_shards(sizes | {"new.example": 1}, 4, max_placed=50)
    assert grown.placed == plan.placed
    assert grown.shard_of("new.example") == hashed_shard("new.example", 4)


def test_a_plan_for_other_shards_is_refused() -> None:
    with pytest.raises(ConfigError, match="the plan is for 3 shards"):
        shard_urls(["https://a.example/x"], Shard(1, 2), ShardPlan(3))
    with pytest.raises(ConfigError, match="at least 1"):
        plan_shards({"a.example": 1}, 0)


def test_host_batches_keep_hosts_whole_and_chain_a_big_host() -> None:
    urls = urls_of({"a.example": 7, "b.example": 3, "c.example": 4, "big.example": 23})
    batches = host_batches(urls, size=10)
    assert sorted(url for batch, _ in batches for url in batch) == sorted(urls)
    small = [batch for batch, after in batches if "big.example" not in batch[0]]
    assert all(after is None for batch, after in batches if batch in small)
    for batch in small:  # every small host whole in one batch, at most 10 URLs a batch
        assert len(batch) <= 10
        for host, count in host_counts(batch).items():
            assert count == host_counts(urls)[host]
    big = [(index, after) for index, (batch, after) in enumerate(batches) if "big.example" in batch[0]]
    assert [len(batches[index][0]) for index, _ in big] == [10, 10, 3]
    # Each batch of the big host waits for the one before: one process at a time fetches from it.
    assert [after for _, after in big] == [None, big[0][0], big[1][0]]
    assert [url for index, _ in big for url in batches[index][0]] == [u for u in urls if "big.example" in u]


@pytest.mark.parametrize(
    "value, expected",
    [
        ("127.0.0.1:8786", "tcp://127.0.0.1:8786"),
        ("tls://dask.example.org:8786", "tls://dask.example.org:8786"),
        ("", None),
    ],
)
def test_dask_address_setting(value: str, expected: str | None) -> None:
    assert load_settings("unused", env={"ARTICLEWATCH_DASK_ADDRESS": value}).dask_address == expected


@pytest.mark.parametrize("value", ["http://dask:8786", "dask", "tcp://dask:0", "tcp://dask:99999", "a b:1"])
def test_a_bad_dask_address_is_a_one_line_error(value: str) -> None:
    with pytest.raises(ConfigError, match=r"^environment: dask_address: not a Dask scheduler address"):
        load_settings("unused", env={"ARTICLEWATCH_DASK_ADDRESS": value})

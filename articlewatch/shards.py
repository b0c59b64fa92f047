"""Split a check pass into K shards by host, so each shard can run on another machine.

A host's watches are always in one shard: per-host politeness (articlewatch.politeness) is kept
in-process, so two shards that both fetched from one host would each allow its full rate. Hosts
are placed in two ways:

- the heaviest hosts (by number of watches, at most MAX_PLACED_HOSTS of them) are bin-packed,
  largest first: onto the host's hashed shard unless that shard is already heavier than the
  lightest by more than BALANCE_TOLERANCE of an average shard, else onto the lightest (the lowest
  number on a tie). One site with 5,000 watches and many sites with 10 each still give shards of
  about the same size, and a small change of the watchlist moves no placed host.
- every other host goes to the shard its name hashes to (blake2b, so the same on every machine
  and Python process): stable across runs and across watchlist changes elsewhere.

Every shard of a pass must agree on the placement, so a coordinator computes the plan once and
hands each shard the placed hosts (a bounded mapping, not the URLs: 100k URLs never travel as
flow parameters). A shard started by hand computes the same plan from the same watchlist.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from .errors import ConfigError
from .politeness import host_of

# Hosts placed by bin-packing; the rest hash. Bounds the plan a coordinator passes to each shard
# (a few KB as a flow parameter) while the hosts that can unbalance shards are all placed.
MAX_PLACED_HOSTS = 256
# How much heavier than the lightest shard (a fraction of the average shard) a placed host's
# hashed shard may be and still take it: the slack that keeps placements from run to run.
BALANCE_TOLERANCE = 0.05
_SHARD = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")


@dataclass(frozen=True)
class Shard:
    """Shard `index` of `count` (1-based: "2/4" is the second of four)."""

    index: int
    count: int

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


def parse_shard(text: str) -> Shard:
    """A shard from "I/K" (1 <= I <= K); ConfigError naming the value otherwise."""
    match = _SHARD.match(str(text))
    if not match:
        raise ConfigError(f"shard: expected I/K, e.g. 2/4 (the second of four shards), got {text!r}")
    index, count = int(match.group(1)), int(match.group(2))
    if count < 1 or not 1 <= index <= count:
        raise ConfigError(f"shard: {text!r} is out of range: I/K needs 1 <= I <= K (e.g. 1/4 ... 4/4)")
    return Shard(index, count)


def hashed_shard(host: str, count: int) -> int:
    """The shard (1-based) a host's name hashes to: the same in every process and on every machine."""
    digest = hashlib.blake2b(host.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") % count + 1


@dataclass(frozen=True)
class ShardPlan:
    """Which shard each host belongs to: `placed` hosts as bin-packed, every other host by hash."""

    count: int
    placed: Mapping[str, int] = field(default_factory=dict)

    def shard_of(self, host: str) -> int:
        """The shard (1-based) of a host (host and port, as politeness counts them)."""
        return self.placed.get(host) or hashed_shard(host, self.count)


def host_counts(urls: Iterable[str]) -> Counter[str]:
    """Number of URLs per host (host and port)."""
    return Counter(host_of(url) for url in urls)


def plan_shards(counts: Mapping[str, int], count: int, max_placed: int = MAX_PLACED_HOSTS) -> ShardPlan:
    """Bin-pack the heaviest hosts over `count` shards around the hashed rest (see the module doc)."""
    if count < 1:
        raise ConfigError(f"shards: must be at least 1, got {count}")
    # Heaviest first; the host name breaks ties, so the same watchlist always gives the same plan.
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    heavy, rest = ordered[:max_placed], ordered[max_placed:]
    loads = [0] * (count + 1)  # loads[0] unused: shards are 1-based
    for host, size in rest:
        loads[hashed_shard(host, count)] += size
    tolerance = BALANCE_TOLERANCE * sum(counts.values()) / count
    placed: dict[str, int] = {}
    for host, size in heavy:  # largest first (longest-processing-time greedy, with slack)
        lightest = min(loads[1:])
        home = hashed_shard(host, count)
        target = home if loads[home] - lightest <= tolerance else loads.index(lightest, 1)
        placed[host] = target
        loads[target] += size
    return ShardPlan(count, placed)


def shard_urls(urls: Sequence[str], shard: Shard, plan: ShardPlan) -> list[str]:
    """The URLs (order kept) whose host belongs to `shard` under `plan`."""
    if plan.count != shard.count:
        raise ConfigError(f"shard {shard}: the plan is for {plan.count} shards, not {shard.count}")
    return [url for url in urls if plan.shard_of(host_of(url)) == shard.index]

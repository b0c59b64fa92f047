"""block_private: non-public addresses refused on every hop, at the socket, with a one-line error."""

from __future__ import annotations

import ipaddress
import json
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from articlewatch.cli import app
from articlewatch.demo.newsroom import Newsroom
from articlewatch.errors import FetchError
from articlewatch.fetch import fetch_page, make_client
from articlewatch.netguard import GuardedBackend, GuardedTransport, is_public

PAGE = (
    "<html><body><article><p>"
    + "A council voted to keep the library open. " * 3
    + "</p></article></body></html>"
)


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("172.16.0.9", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),  # cloud metadata
        ("100.64.0.1", False),  # carrier-grade NAT
        ("0.0.0.0", False),
        ("224.0.0.1", False),
        ("::1", False),
        ("fe80::1", False),
        ("fd00:ec2::254", False),  # AWS metadata over IPv6
        ("::ffff:127.0.0.1", False),
        ("2002:7f00:1::", False),  # 6to4 around 127.0.0.1
        ("93.184.216.34", True),
        ("2606:2800:220:1:248:1893:25c8:1946", True),
    ],
)
def test_which_addresses_are_public(address: str, public: bool) -> None:
    assert is_public(ipaddress.ip_address(address)) is public


def test_loopback_is_refused_when_blocking_and_fetched_when_not(newsroom: Newsroom) -> None:
    url = newsroom.put("/a", PAGE)
    with make_client(timeout=5, block_private=True) as client, pytest.raises(FetchError) as caught:
        fetch_page(url, client)
    message = str(caught.value)
    assert message.startswith(f"{url}: blocked: 127.0.0.1 resolves to 127.0.0.1, a private address")
    assert newsroom.requests == [], "a refused fetch must not reach the server"
    with make_client(timeout=5) as client:
        assert fetch_page(url, client).status == 200


def test_a_name_that_resolves_to_loopback_is_refused(newsroom: Newsroom) -> None:
    url = newsroom.put("/a", PAGE).replace("127.0.0.1", "localhost")
    with (
        make_client(timeout=5, block_private=True) as client,
        pytest.raises(FetchError, match="blocked: localhost"),
    ):
        fetch_page(url, client)


def test_every_redirect_hop_is_checked() -> None:
    """A permitted host that redirects to a refused one: the second hop never connects."""
    with Newsroom() as outside, Newsroom(host="127.0.0.2") as inside:
        target = inside.put("/admin", PAGE)
        start = outside.put("/story", "", status=302, headers={"Location": target})
        # 127.0.0.1 stands in for a public address here; 127.0.0.2 is the private one.
        backend = GuardedBackend(block_private=True, allowed=lambda ip: str(ip) != "127.0.0.2")
        client = httpx.Client(transport=GuardedTransport(backend), follow_redirects=True, timeout=5)
        with client, pytest.raises(FetchError) as caught:
            fetch_page(start, client)
        assert "blocked: 127.0.0.2 resolves to 127.0.0.2" in str(caught.value)
        assert outside.requests == [("GET", "/story")] and inside.requests == []


def test_environment_switch_turns_blocking_on_for_check(
    prefect_server: None, newsroom: Newsroom, store_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = newsroom.put("/a", PAGE)
    monkeypatch.setenv("ARTICLEWATCH_BLOCK_PRIVATE", "1")
    monkeypatch.setenv("ARTICLEWATCH_ROBOTS", "false")
    result = CliRunner().invoke(app, ["--store", str(store_dir), "check", "--json", url])
    [record] = [json.loads(line) for line in result.stdout.splitlines()]
    assert result.exit_code == 1
    assert record["outcome"] == "error" and "blocked" in record["error"] and url in record["error"]
    assert newsroom.requests == []


def test_config_key_turns_blocking_on(store_dir: Path) -> None:
    from articlewatch.config import load_settings

    store_dir.mkdir(parents=True)
    (store_dir / "articlewatch.toml").write_text("block_private = true\n", encoding="utf-8")
    assert load_settings(store_dir, env={}).block_private is True
    (store_dir / "articlewatch.toml").write_text('block_private = "perhaps"\n', encoding="utf-8")
    with pytest.raises(Exception, match="block_private: not true or false: 'perhaps'"):
        load_settings(store_dir, env={})

"""Bounded content decoding and the charset choice, byte for byte."""

from __future__ import annotations

import gzip
import zlib

import pytest

from articlewatch.decoding import BoundedDecoder, decode_html
from articlewatch.errors import FetchError

TEXT = b"<html><body><p>" + b"Bu bir haber metnidir. " * 200 + b"</p></body></html>"


def decode_all(encoding: str, data: bytes, max_bytes: int, chunk: int = 1000) -> bytes:
    decoder = BoundedDecoder("http://x.example/a", encoding, max_bytes)
    out = b"".join(decoder.feed(data[i : i + chunk]) for i in range(0, len(data), chunk))
    return out + decoder.finish()


@pytest.mark.parametrize(
    ("encoding", "encode"),
    [
        ("", lambda b: b),
        ("identity", lambda b: b),
        ("gzip", gzip.compress),
        ("deflate", zlib.compress),
        ("deflate", lambda b: zlib.compress(b)[2:-4]),  # raw deflate, as some servers send it
        ("gzip, gzip", lambda b: gzip.compress(gzip.compress(b))),
    ],
)
def test_encodings_round_trip(encoding: str, encode: object) -> None:
    assert decode_all(encoding, encode(TEXT), 10 * len(TEXT)) == TEXT  # type: ignore[operator]


def test_cap_applies_to_decoded_size() -> None:
    with pytest.raises(FetchError, match="over 1000 bytes decoded"):
        decode_all("gzip", gzip.compress(TEXT), 1000)
    assert decode_all("gzip", gzip.compress(TEXT), len(TEXT)) == TEXT


def test_unsupported_and_corrupt_encodings() -> None:
    with pytest.raises(FetchError, match="unsupported content encoding"):
        BoundedDecoder("http://x.example/a", "br", 100)
    with pytest.raises(FetchError, match="corrupt compressed body"):
        decode_all("gzip", gzip.compress(TEXT)[:-40], 10 * len(TEXT))


def test_charset_choices() -> None:
    turkish = '<html lang="tr"><p>Güncelleme: Şirketler ağır yaptırımlar için çalışıyor.</p></html>'
    assert decode_html(turkish.encode("cp1254"), "utf-8") == turkish  # wrong header, language hint
    assert decode_html(turkish.encode("utf-8"), "windows-1254") == turkish  # valid UTF-8 wins
    assert decode_html('<meta charset="windows-1254"><p>Güncelleme</p>'.encode("cp1254")) == (
        '<meta charset="windows-1254"><p>Güncelleme</p>'
    )
    assert decode_html("<p>€ – “quoted”</p>".encode("cp1252"), "iso-8859-1") == "<p>€ – “quoted”</p>"
    assert decode_html(b"\xef\xbb\xbf<p>bom</p>") == "<p>bom</p>"
    assert "\ufffd" in decode_html(b"<p>bad \xff\xfe bytes</p>")
    assert decode_html(b"<p>x</p>", "no-such-charset") == "<p>x</p>"

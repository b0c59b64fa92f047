"""Response bytes to page text, safely: bounded content-encoding, then the page's character set.

- `BoundedDecoder` undoes gzip/deflate while the body streams in and stops as soon as the
  decoded size passes the cap, so a gzip bomb costs at most the cap in memory.
- `decode_html` picks the character set the way browsers do (BOM, then a declared charset that
  fits the bytes, with WHATWG's label meanings), and detects it with charset_normalizer when
  nothing declared fits: a Turkish windows-1254 or a Shift_JIS page served as UTF-8 (or with no
  charset) still reads as Turkish or Japanese, not as mojibake.
"""

from __future__ import annotations

import codecs
import re
import zlib
from urllib.parse import urlsplit

from charset_normalizer import from_bytes

from .errors import FetchError

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""", re.IGNORECASE)
_HTML_LANG = re.compile(rb"""<html[^>]*?\slang\s*=\s*["']?\s*([A-Za-z]{2,3})""", re.IGNORECASE)
_TAG = re.compile(rb"<[^>]*>")
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# WHATWG Encoding Standard: browsers read these labels as the superset encoding, so pages
# labelled latin-1 but written in windows-1252 (nearly all of them) decode as their authors saw them.
_WHATWG_LABELS = {
    "iso-8859-1": "cp1252",
    "iso8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "l1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "cp819": "cp1252",
    "iso-8859-9": "cp1254",
    "iso8859-9": "cp1254",
    "latin5": "cp1254",
    "l5": "cp1254",
    "iso-8859-11": "cp874",
    "tis-620": "cp874",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "ms_kanji": "cp932",
    "windows-31j": "cp932",
    "euc-kr": "cp949",
    "ks_c_5601-1987": "cp949",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "big5": "big5hkscs",
}
# The legacy encoding of a page's language (<html lang>): the fallback browsers take from the
# locale or the domain, and the tie-breaker between code pages that decode a page equally cleanly.
_LEGACY_ENCODINGS = {
    "cp1254": ("tr", "az"),
    "cp932": ("ja",),
    "cp1251": ("ru", "uk", "bg", "sr", "mk", "be"),
    "gb18030": ("zh",),
    "cp949": ("ko",),
    "cp1253": ("el",),
    "cp1255": ("he",),
    "cp1256": ("ar", "fa", "ur"),
    "cp874": ("th",),
    "cp1258": ("vi",),
    "cp1250": ("pl", "cs", "sk", "hu", "sl", "hr", "ro"),
    "cp1257": ("lt", "lv", "et"),
}
_LEGACY_BY_LANGUAGE = {language: codec for codec, names in _LEGACY_ENCODINGS.items() for language in names}
_LEGACY_BY_TLD = {
    "tr": "cp1254",
    "jp": "cp932",
    "ru": "cp1251",
    "ua": "cp1251",
    "bg": "cp1251",
    "by": "cp1251",
    "cn": "gb18030",
    "tw": "big5hkscs",
    "hk": "big5hkscs",
    "kr": "cp949",
    "gr": "cp1253",
    "il": "cp1255",
    "sa": "cp1256",
    "eg": "cp1256",
    "ir": "cp1256",
    "th": "cp874",
    "vn": "cp1258",
    "pl": "cp1250",
    "cz": "cp1250",
    "sk": "cp1250",
    "hu": "cp1250",
    "si": "cp1250",
    "hr": "cp1250",
    "ro": "cp1250",
    "lt": "cp1257",
    "lv": "cp1257",
    "ee": "cp1257",
}
# Encodings seen on real news sites; detection chooses among these (exotic look-alikes such as
# ISO-8859-10 decode Turkish "without errors" too, and would win on a short page).
_WEB_ENCODINGS = [
    "cp1252",
    "cp1250",
    "cp1251",
    "cp1253",
    "cp1254",
    "cp1255",
    "cp1256",
    "cp1257",
    "cp1258",
    "cp874",
    "koi8_r",
    "koi8_u",
    "cp932",
    "euc_jp",
    "iso2022_jp",
    "gb18030",
    "big5hkscs",
    "cp949",
]
# Matches this close to the detector's favourite (in charset_normalizer's chaos and coherence)
# count as a tie: latin code pages often decode a page equally cleanly.
_TIE = 0.05
_SNIFF_BYTES = 8192
_FEW_BAD_SEQUENCES = 3


class BoundedDecoder:
    """Undoes a Content-Encoding chain chunk by chunk; FetchError once the output passes `max_bytes`."""

    def __init__(self, url: str, content_encoding: str, max_bytes: int) -> None:
        """`content_encoding` as the header says it (e.g. "gzip"); identity when empty."""
        self._url = url
        self._max_bytes = max_bytes
        self.size = 0
        names = [name.strip().lower() for name in content_encoding.split(",") if name.strip()]
        self._stages: list[_Inflater] = []
        for name in reversed(names):  # the last encoding applied is the first to undo
            if name in ("identity", ""):
                continue
            if name not in ("gzip", "x-gzip", "deflate"):
                raise FetchError(f"{url}: unsupported content encoding ({name})")
            self._stages.append(_Inflater(name))

    def feed(self, chunk: bytes) -> bytes:
        """The decoded bytes of one raw chunk."""
        return self._count(self._run(chunk, final=False))

    def finish(self) -> bytes:
        """Whatever the decoders still hold once the raw body has ended."""
        return self._count(self._run(b"", final=True))

    def _run(self, data: bytes, final: bool) -> bytes:
        room = self._max_bytes - self.size + 1  # one byte over the cap is enough to refuse
        try:
            for stage in self._stages:
                data = stage.feed(data, room, final)
                if len(data) >= room:  # stop inflating here: the body is refused anyway
                    break
        except zlib.error as exc:
            raise FetchError(f"{self._url}: corrupt compressed body ({exc})") from exc
        return data

    def _count(self, data: bytes) -> bytes:
        self.size += len(data)
        if self.size > self._max_bytes:
            raise FetchError(f"{self._url}: response too large (over {self._max_bytes} bytes decoded)")
        return data


class _Inflater:
    """One gzip or deflate stage; returns at most `room` bytes per call."""

    def __init__(self, name: str) -> None:
        self._gzip = name != "deflate"
        self._started = False
        self._engine = zlib.decompressobj(16 + zlib.MAX_WBITS if self._gzip else zlib.MAX_WBITS)

    def feed(self, data: bytes, room: int, final: bool) -> bytes:
        if not self._gzip and not self._started and data:
            self._started = True
            try:
                return self._inflate(data, room, final)
            except zlib.error:  # "deflate" sent without its zlib header, as some servers do
                self._engine = zlib.decompressobj(-zlib.MAX_WBITS)
        self._started = self._started or bool(data)
        return self._inflate(data, room, final)

    def _inflate(self, data: bytes, room: int, final: bool) -> bytes:
        output = self._engine.decompress(data, room)
        if final and len(output) < room:
            output += self._engine.flush()
            if self._started and not self._engine.eof:
                raise zlib.error("the compressed stream ends early")
        return output


def decode_html(body: bytes, declared_charset: str | None = None, url: str | None = None) -> str:
    """Bytes to text: BOM, valid UTF-8, a declared charset that fits, else detection; never raises."""
    for bom, bom_codec in _BOMS:
        if body.startswith(bom):
            return body.decode(bom_codec, errors="replace")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    bad, good = _utf8_errors(body)
    if good >= 4 * bad:  # a UTF-8 page with a few damaged bytes: keep it UTF-8, mark the damage
        return body.decode("utf-8", errors="replace")
    for label in (declared_charset, _meta_charset(body)):
        codec = _codec(label)
        if codec is None or codec == "utf-8":
            continue  # utf-8 was tried above; an unknown label says nothing
        try:
            return body.decode(codec)
        except UnicodeDecodeError:
            continue  # the label is wrong for these bytes (or they are damaged): detect instead
    if bad <= _FEW_BAD_SEQUENCES:  # stray bytes in a page of ASCII: too few to detect anything from
        return body.decode("utf-8", errors="replace")
    return body.decode(_detect(body, _legacy_hint(body, url)), errors="replace")


def _utf8_errors(body: bytes) -> tuple[int, int]:
    """(invalid sequences, valid non-ASCII characters) when the bytes are read as UTF-8."""
    text = body.decode("utf-8", errors="replace")
    bad = text.count("\ufffd") - body.count("\ufffd".encode())
    non_ascii = len(text) - len(text.encode("ascii", errors="ignore"))
    good = non_ascii - text.count("\ufffd")
    return bad, good


def _codec(label: str | None) -> str | None:
    if not label:
        return None
    name = label.strip().strip("\"'").lower()
    name = _WHATWG_LABELS.get(name, name)
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _meta_charset(body: bytes) -> str | None:
    match = _META_CHARSET.search(body[:_SNIFF_BYTES])
    return match.group(1).decode("ascii", errors="ignore") if match else None


def _legacy_hint(body: bytes, url: str | None) -> str | None:
    match = _HTML_LANG.search(body[:_SNIFF_BYTES])
    if match:
        language = match.group(1).decode("ascii").lower()
        if language in _LEGACY_BY_LANGUAGE:
            return _LEGACY_BY_LANGUAGE[language]
    if url:
        host = urlsplit(url).hostname or ""
        return _LEGACY_BY_TLD.get(host.rsplit(".", 1)[-1])
    return None


def _detect(body: bytes, hint: str | None) -> str:
    # Markup is ASCII in every candidate encoding and only dilutes the statistics.
    text = _TAG.sub(b" ", body)
    candidates = _WEB_ENCODINGS if hint is None or hint in _WEB_ENCODINGS else [hint, *_WEB_ENCODINGS]
    matches = list(from_bytes(text, cp_isolation=candidates))
    if not matches:
        return hint or "utf-8"
    best = max(matches, key=lambda match: match.coherence - match.chaos)
    near = [
        match
        for match in matches
        if match.chaos <= best.chaos + _TIE and match.coherence >= best.coherence - _TIE
    ]
    # Between near-ties the page's language or domain decides, else windows-1252, as in browsers.
    for preferred in (hint, "cp1252"):
        if preferred is not None and any(match.encoding == preferred for match in near):
            return preferred
    return best.encoding

"""Secrets out of everything articlewatch stores or prints: snapshots, records, logs, reports.

A watched URL may carry a credential (`?token=...`, `api_key=`, a signed `sig=`, `user:pass@`).
The URL used for fetching keeps it; every copy that is written down or shown goes through
`redact_url` / `redact_text` first. (Notification URLs are masked by notify.py.)
"""

from __future__ import annotations

import re

REDACTED = "REDACTED"
# Query (or fragment) parameter names that hold credentials, compared without "-", "_" and case.
_SECRET_NAMES = frozenset(
    {
        "token",
        "accesstoken",
        "authtoken",
        "idtoken",
        "refreshtoken",
        "apikey",
        "key",
        "sig",
        "signature",
        "secret",
        "clientsecret",
        "password",
        "passwd",
        "pwd",
        "auth",
        "authorization",
        "credential",
        "credentials",
        "session",
        "sessionid",
        "sid",
        "jwt",
        "xamzsignature",
        "xamzcredential",
        "xamzsecuritytoken",
        "googleaccessid",
        "awsaccesskeyid",
    }
)
_SECRET_SUFFIXES = ("token", "secret", "signature", "password", "apikey")
# A URL in free text; punctuation right after it ("...?token=x: timed out") is not part of it.
_URL = re.compile(r"""\b[a-zA-Z][a-zA-Z0-9+.\-]*://[^\s"'<>]*[^\s"'<>.,:;!?)\]]""")
_USERINFO_PASSWORD = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*://[^/?#@:]*):[^/?#@]*@")
_PARAMETER = re.compile(r"(?P<lead>[?&#;])(?P<name>[^=&#;?]+)=(?P<value>[^&#;]*)")


def is_secret_name(name: str) -> bool:
    """Whether a query parameter of this name holds a credential."""
    folded = re.sub(r"[-_.\[\]]", "", name).lower()
    return folded in _SECRET_NAMES or folded.endswith(_SECRET_SUFFIXES)


def redact_url(url: str) -> str:
    """The URL with its password and credential parameters replaced by REDACTED; the rest unchanged."""
    text = _USERINFO_PASSWORD.sub(rf"\1:{REDACTED}@", url)

    def parameter(match: re.Match[str]) -> str:
        if not is_secret_name(match.group("name")) or not match.group("value"):
            return match.group(0)
        return f"{match.group('lead')}{match.group('name')}={REDACTED}"

    return _PARAMETER.sub(parameter, text)


def redact_text(text: str) -> str:
    """Free text (an error message, a log line) with every URL in it redacted."""
    return _URL.sub(lambda match: redact_url(match.group(0)), text)

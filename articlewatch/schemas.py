"""The JSON Schemas of schemas/: loaded once, one validator each, errors as StoreError naming the file.

Every record is checked by jsonschema-rs first (compiled: 0.01 ms a snapshot against 0.4 ms, the
biggest cost of writing one); only a record it rejects goes through jsonschema, the reference
implementation, which words the error and has the last say.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema_rs
from jsonschema import Draft202012Validator, FormatChecker

from .errors import StoreError

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schemas"
SNAPSHOT_SCHEMA_VERSION = 1


@cache
def schema(name: str) -> dict[str, Any]:
    """schemas/<name>.schema.json, read and checked once."""
    document: dict[str, Any] = json.loads((SCHEMA_DIR / f"{name}.schema.json").read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(document)
    return document


@cache
def validator(name: str) -> Draft202012Validator:
    """The reference validator of schemas/<name>.schema.json, built once (building is the slow part)."""
    return Draft202012Validator(schema(name), format_checker=FormatChecker())


@cache
def fast_validator(name: str) -> jsonschema_rs.Draft202012Validator:
    """The compiled validator of schemas/<name>.schema.json, formats checked as the reference does."""
    return jsonschema_rs.Draft202012Validator(schema(name), validate_formats=True)


def validate(name: str, document: Any, source: str) -> None:
    """Raise StoreError naming `source` when the document does not match the schema."""
    try:
        if fast_validator(name).is_valid(document):
            return
    except ValueError:  # a value no JSON holds (a tuple, a datetime): the reference says what
        pass
    error = next(iter(validator(name).iter_errors(document)), None)
    if error is not None:
        where = "/".join(str(part) for part in error.absolute_path) or "(top)"
        raise StoreError(f"{source}: does not match {name} schema at {where}: {error.message[:200]}")

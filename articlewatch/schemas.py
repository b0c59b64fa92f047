"""The JSON Schemas of schemas/: loaded once, one validator each, errors as StoreError naming the file."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker

from .errors import StoreError

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schemas"
SNAPSHOT_SCHEMA_VERSION = 1


@cache
def validator(name: str) -> Draft202012Validator:
    """The validator of schemas/<name>.schema.json, built once (building is the slow part)."""
    schema = json.loads((SCHEMA_DIR / f"{name}.schema.json").read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=FormatChecker())


def validate(name: str, document: Any, source: str) -> None:
    """Raise StoreError naming `source` when the document does not match the schema."""
    error = next(iter(validator(name).iter_errors(document)), None)
    if error is not None:
        where = "/".join(str(part) for part in error.absolute_path) or "(top)"
        raise StoreError(f"{source}: does not match {name} schema at {where}: {error.message[:200]}")

"""A change as a JSON document matching schemas/change.schema.json."""

from __future__ import annotations

from typing import Any

from ..diff import word_diff
from ..models import PARAGRAPH_EDITED, PARAGRAPH_MOVED, Change
from ..schemas import validate
from . import summarize

CHANGE_SCHEMA_VERSION = 2  # 2: reverts_to, stamp_only, silent_edit, notes, the revert kind


def change_document(change: Change) -> dict[str, Any]:
    """The structured change, validated against the change schema."""
    document = {
        "schema_version": CHANGE_SCHEMA_VERSION,
        "url": change.url,
        "title": change.title,
        "sitename": change.sitename,
        "from_version": change.from_version,
        "to_version": change.to_version,
        "from_fetched_at": change.from_fetched_at,
        "to_fetched_at": change.to_fetched_at,
        "significant": change.significant,
        "kinds": list(change.kinds),
        "summary": summarize(change),
        "reverts_to": change.reverts_to,
        "stamp_only": change.stamp_only,
        "silent_edit": change.silent_edit,
        "changes": [
            {
                **item.to_record(),
                "field": item.field,
                "position": item.position,
                "significant": item.significant and change.reverts_to is None,
                "notes": list(item.notes),
                "words": (
                    [{"op": op, "text": text} for op, text in word_diff(item.before, item.after)]
                    if item.kind in (PARAGRAPH_EDITED, PARAGRAPH_MOVED)
                    and item.before
                    and item.after
                    and item.before != item.after
                    else None
                ),
            }
            for item in change.items
        ],
    }
    validate("change", document, change.url)
    return document

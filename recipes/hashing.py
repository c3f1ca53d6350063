"""The content hash of a master recipe: what a batch records as "the recipe it ran".

SHA-256 (lower-case hex) over a canonical JSON form of the *model*, not of the
file text: comments, key order, quoting and flow/block style do not change it;
any changed value does. Canonical JSON: UTF-8, keys sorted, no insignificant
white space, every number as a normalised decimal string (``60.0`` and ``60``
are the same quantity and hash the same), every step carrying its ``kind``.
A format marker is hashed along so that a future change of the canonical form
cannot collide with today's hashes.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from decimal import Decimal
from typing import Any

from recipes.model import MasterRecipe

CANONICAL_FORMAT = "mes-station/master-recipe/1"


def canonical_form(recipe: MasterRecipe) -> dict[str, Any]:
    """The recipe as plain JSON-able data, the form the hash is computed over."""
    return {"format": CANONICAL_FORMAT, "recipe": _plain(recipe)}


def canonical_json(recipe: MasterRecipe) -> bytes:
    return json.dumps(
        canonical_form(recipe), sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def content_hash(recipe: MasterRecipe) -> str:
    return hashlib.sha256(canonical_json(recipe)).hexdigest()


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return _decimal_text(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {
            field.name: _plain(getattr(value, field.name))
            for field in dataclasses.fields(value)
            # A field added after recipes were first hashed stays out while it holds its default.
            if field.metadata.get("hash_default", True) or getattr(value, field.name) != field.default
        }
        kind = getattr(type(value), "kind", None)
        if isinstance(kind, str):
            fields["kind"] = kind
        return fields
    if isinstance(value, tuple | list):
        return [_plain(item) for item in value]
    return value  # str, int, bool, None


def _decimal_text(value: Decimal) -> str:
    normal = value.normalize()
    return "0" if normal.is_zero() else format(normal, "f")

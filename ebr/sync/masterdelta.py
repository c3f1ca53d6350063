"""A master-data delta: what one signed import into the hub changed, in the form stations pull.

The hub imports a master-data file through the same importer as a station (``ebr.masterdata``)
and keeps what it changed as one delta, numbered from 1 without a gap. The delta's body is the
canonical JSON of::

    {"version", "signed_at", "signer": {"id", "name", "roles"} | null (the hub's bootstrap),
     "source": {"file", "sha256"}, "changes": [{"kind", "entity", "change", "fields"}],
     "document": the changed entities as a master-data file (YAML, no initial passwords),
     "password_hashes": {user id: argon2id hash} for the users it adds, "key_id"}

and the hub's Ed25519 key (the receipt key a station pins) signs the body's exact bytes when the
import commits. The hub stores body and signature as they were signed and serves them as they
are stored, so a body altered in the hub's database no longer verifies at a station.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
from collections.abc import Mapping, Set
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from ebr.chain import canonical
from ebr.sync.receipts import key_id

#: The sections of a master-data file, by the kind of master data (``ebr.master_seal.KINDS``).
SECTIONS = {"document": "documents", "user": "users", "training": "training", "material": "materials",
            "lot": "lots", "equipment": "equipment"}  # fmt: skip


class DeltaInvalid(Exception):
    """A delta that is malformed or whose signature does not verify with the pinned hub key."""


@dataclass(frozen=True)
class Delta:
    version: int
    signed_at: str
    signer_id: str | None
    signer_name: str | None
    signer_roles: tuple[str, ...]
    source_file: str
    source_sha256: str
    changes: tuple[Mapping[str, Any], ...]
    document: str
    password_hashes: Mapping[str, str]
    key_id: str

    def body(self) -> str:
        signer = (
            None
            if self.signer_id is None
            else {"id": self.signer_id, "name": self.signer_name, "roles": list(self.signer_roles)}
        )
        return canonical(
            {
                "version": self.version,
                "signed_at": self.signed_at,
                "signer": signer,
                "source": {"file": self.source_file, "sha256": self.source_sha256},
                "changes": [dict(c) for c in self.changes],
                "document": self.document,
                "password_hashes": dict(self.password_hashes),
                "key_id": self.key_id,
            }
        )


def sign(private: Ed25519PrivateKey, body: str) -> str:
    return base64.b64encode(private.sign(body.encode("utf-8"))).decode()


def verified(body: Any, signature: Any, public: Ed25519PublicKey) -> Delta:
    """The delta in ``body`` once the pinned key's signature over its bytes verifies; raises
    DeltaInvalid (one line) otherwise."""
    if not isinstance(body, str) or not isinstance(signature, str):
        raise DeltaInvalid("a delta is a body and a signature, both text")
    try:
        public.verify(base64.b64decode(signature, validate=True), body.encode("utf-8"))
    except (InvalidSignature, ValueError):
        raise DeltaInvalid("the signature does not verify with the pinned hub key") from None
    try:
        value = json.loads(body)
        signer = value["signer"]
        delta = Delta(
            version=_whole(value["version"]),
            signed_at=str(value["signed_at"]),
            signer_id=None if signer is None else str(signer["id"]),
            signer_name=None if signer is None else str(signer["name"]),
            signer_roles=() if signer is None else tuple(str(r) for r in signer["roles"]),
            source_file=str(value["source"]["file"]),
            source_sha256=str(value["source"]["sha256"]),
            changes=tuple(dict(c) for c in value["changes"]),
            document=str(value["document"]),
            password_hashes={str(k): str(v) for k, v in dict(value["password_hashes"]).items()},
            key_id=str(value["key_id"]),
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise DeltaInvalid(f"a signed delta that is malformed: {type(exc).__name__}: {exc}") from None
    if delta.key_id != key_id(public):
        raise DeltaInvalid(f"delta {delta.version} names key {delta.key_id}, not the pinned hub key")
    return delta


def _whole(value: Any) -> int:
    if type(value) is not int or value < 1:
        raise ValueError("version is not a positive whole number")
    return value


# ---------------------------------------------------------------- the document


def site_yaml(site: Any, keep: Mapping[str, Set[str]], entity_of: Any) -> str:
    """The entities of ``site`` (a parsed ``SiteFile``) named in ``keep`` (kind → entity ids;
    ``entity_of(kind, item)`` gives an item's id), as a master-data file without initial
    passwords. Dates, times and decimals are written plain, so the station's reader gives back
    exactly the values the hub imported."""
    lines = ["# master data changed by one signed import into the hub"]
    for kind, section in SECTIONS.items():
        wanted = keep.get(kind, set())
        items = [item for item in getattr(site, section) if entity_of(kind, item) in wanted]
        if not items:
            continue
        lines.append(f"{section}:")
        for item in items:
            values = item.model_dump(by_alias=True, exclude_none=True, exclude={"initial_password"})
            lines.append(f"  - {_yaml(values)}")
    return "\n".join(lines) + "\n"


#: Text that YAML reads back as the same text when written plain: it starts with a letter and
#: holds no character YAML gives a meaning in a flow mapping; a few words are YAML's own values.
_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9._/()+-]*(?: [A-Za-z0-9._/()+-]+)*")
_WORDS = frozenset({"true", "false", "null", "yes", "no", "on", "off", "y", "n", "nan", "inf"})


def _yaml(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        if _PLAIN.fullmatch(value) and value.lower() not in _WORDS:
            return value  # plain, as people write the file: the reader takes it twice as fast
        return json.dumps(value, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k}: {_yaml(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_yaml(v) for v in value) + "]"
    raise TypeError(f"no YAML form for {type(value).__name__}")

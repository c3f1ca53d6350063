"""Central deviation numbers: the hub numbers each deviation a station opens, site-wide.

When the hub stores a ``deviation.opened`` (or ``deviation.recorded``) event it gives the
deviation the next number of one site-wide sequence (``hub_deviation_numbers.id``: a PostgreSQL
sequence, so numbers are unique with any number of hub processes) in the same transaction as
the event: ``DEV-{year}-{number:06d}``, the year the hub received it. A resent run gets the
numbers it got the first time. The push's answer carries each number signed with the hub's key
(canonical JSON of ``{chain_id, seq, deviation, number}``); the station checks the signature,
that the event at that seq is that deviation's, and records the number insert-only
(``deviation_numbers``) with the receipts.
"""

from __future__ import annotations

import base64
from dataclasses import asdict, dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import insert, select

from ebr.chain import canonical
from ebr.sync.receipts import key_id
from ebr.sync_models import HubDeviationNumber

#: The actions that open a deviation (``ebr.events.DeviationOpened`` and ``DeviationRecorded``).
OPENING = ("deviation.opened", "deviation.recorded")


class NumberInvalid(Exception):
    """A central number that is malformed or not signed by the pinned hub key."""


@dataclass(frozen=True)
class CentralNumber:
    chain_id: str
    seq: int
    deviation: str
    number: str
    key_id: str
    signature: str

    def signed_text(self) -> bytes:
        return signed_text_of(self.chain_id, self.seq, self.deviation, self.number)

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, value: Any) -> CentralNumber:
        if not isinstance(value, dict):
            raise NumberInvalid("a central deviation number is a JSON object")
        try:
            seq = value["seq"]
            if type(seq) is not int:
                raise TypeError("seq")
            return cls(
                str(value["chain_id"]), seq, str(value["deviation"]), str(value["number"]),
                str(value["key_id"]), str(value["signature"]),
            )  # fmt: skip
        except (KeyError, TypeError) as exc:
            raise NumberInvalid(f"a central deviation number lacks or mistypes {exc}") from None

    def check(self, public: Ed25519PublicKey) -> None:
        if self.key_id != key_id(public):
            raise NumberInvalid(
                f"central number {self.number} names key {self.key_id}, not the pinned hub key"
            )
        try:
            public.verify(base64.b64decode(self.signature, validate=True), self.signed_text())
        except (InvalidSignature, ValueError):
            raise NumberInvalid(f"central number {self.number}: the signature does not verify") from None


def signed_text_of(chain_id: str, seq: int, deviation: str, number: str) -> bytes:
    return canonical({"chain_id": chain_id, "seq": seq, "deviation": deviation, "number": number}).encode()


def formatted(year: int, sequence: int) -> str:
    return f"DEV-{year}-{sequence:06d}"


def assign(connection: Any, chain_id: str, fresh: list[dict[str, Any]], received_at: str) -> None:
    """Number the deviations opened in ``fresh`` (events new to the hub), in the caller's
    transaction."""
    opening = [e for e in fresh if e["action"] in OPENING]
    if opening:
        connection.execute(
            insert(HubDeviationNumber),
            [
                {
                    "chain_id": chain_id,
                    "seq": e["seq"],
                    "deviation_uid": str(e["record_uid"]),  # the deviation row's uid
                    "year": int(received_at[:4]),
                    "assigned_at": received_at,
                }
                for e in opening
            ],
        )


def signed_numbers(
    connection: Any, chain_id: str, events: list[dict[str, Any]], key: Ed25519PrivateKey
) -> list[CentralNumber]:
    """The signed central numbers of the deviations opened in ``events`` (stored or resent)."""
    seqs = [e["seq"] for e in events if e["action"] in OPENING]
    if not seqs:
        return []
    rows = connection.execute(
        select(HubDeviationNumber.seq, HubDeviationNumber.deviation_uid, HubDeviationNumber.year,
               HubDeviationNumber.id)
        .where(HubDeviationNumber.chain_id == chain_id, HubDeviationNumber.seq.in_(seqs))
        .order_by(HubDeviationNumber.seq)
    )  # fmt: skip
    kid = key_id(key.public_key())
    out = []
    for seq, deviation, year, sequence in rows:
        number = formatted(int(year), int(sequence))
        signature = base64.b64encode(
            key.sign(signed_text_of(chain_id, int(seq), str(deviation), number))
        ).decode()
        out.append(CentralNumber(chain_id, int(seq), str(deviation), number, kid, signature))
    return out

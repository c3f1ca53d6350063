"""The central deviation numbers at the station: checked as they come with the receipts, and
kept insert-only (``deviation_numbers``) beside the local number, for the review and exports."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import insert, select

from ebr import clock
from ebr.chain import utc_iso
from ebr.hub.deviations import OPENING, CentralNumber, NumberInvalid
from ebr.sync_models import DeviationNumber
from ebr.uow import UnitOfWork


def checked(given: Any, chain: str, items: Sequence[Any], hub_key: Ed25519PublicKey) -> list[CentralNumber]:
    """The numbers of a push's answer, each signed by the pinned key and naming a deviation that
    one of the run's events (``outbox`` items) opened. Raises NumberInvalid."""
    if not isinstance(given, list):
        raise NumberInvalid("deviation_numbers is not a list")
    opened = {item.seq: str(item.event["record_uid"]) for item in items if item.event["action"] in OPENING}
    numbers = []
    for value in given:
        number = CentralNumber.from_json(value)
        number.check(hub_key)
        if number.chain_id != chain or opened.get(number.seq) != number.deviation:
            raise NumberInvalid(f"central number {number.number} does not name a deviation this run opened")
        numbers.append(number)
    return numbers


def store(uow: UnitOfWork, numbers: Iterable[CentralNumber]) -> int:
    """Add the numbers not held yet (the caller commits); how many were added."""
    numbers = list(numbers)
    if not numbers:
        return 0
    held = set(
        uow.connection.execute(
            select(DeviationNumber.deviation_uid).where(
                DeviationNumber.deviation_uid.in_([n.deviation for n in numbers])
            )
        ).scalars()
    )
    fresh = [n for n in numbers if n.deviation not in held]
    if fresh:
        now = utc_iso(clock.utc_now())
        uow.connection.execute(
            insert(DeviationNumber),
            [
                {"deviation_uid": n.deviation, "number": n.number, "chain_id": n.chain_id, "seq": n.seq,
                 "key_id": n.key_id, "signature": n.signature, "recorded_at": now}
                for n in fresh
            ],
        )  # fmt: skip
    return len(fresh)


def numbers_of(uow: UnitOfWork, deviation_uids: Sequence[str]) -> dict[str, str]:
    """The central number of each of these deviations that has one."""
    if not deviation_uids or "deviation_numbers" not in uow.db.table_names():
        return {}
    rows = uow.connection.execute(
        select(DeviationNumber.deviation_uid, DeviationNumber.number).where(
            DeviationNumber.deviation_uid.in_(list(deviation_uids))
        )
    )
    return {str(uid): str(number) for uid, number in rows}

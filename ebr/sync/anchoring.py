"""The hub's receipts at the station: stored insert-only, and the chain checked against them.

A receipt is the hub's signed word that it holds the chain up to ``seq`` with hash ``hash``. A
store rewritten with recomputed hashes, or cut short, no longer shows that hash at that seq:
:func:`check_receipts` names it, and ``ebr verify`` answers 3. :func:`quick_check` checks only what
came after the last receipt (each hash recomputed, each linked to the one before), so a routine
check costs what was written since the last sync; the full ``ebr verify`` stays.
"""

from __future__ import annotations

from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import insert, select, text

from ebr.chain import event_hash_of_texts
from ebr.sync.identity import chain_id
from ebr.sync.receipts import Receipt, ReceiptInvalid, check
from ebr.sync_models import SyncReceipt
from ebr.uow import UnitOfWork

_FIELDS = (
    "seq, uid, stream, stream_seq, occurred_at, user_id, action, outcome, entity_type, entity_id, "
    "old_value, new_value, reason, record_table, record_uid, record_hash, prev_hash, hash"
)


def store(uow: UnitOfWork, given: list[Receipt]) -> int:
    """Add the receipts not held yet (the caller commits); how many were added."""
    held = set(
        uow.connection.execute(
            select(SyncReceipt.seq).where(SyncReceipt.seq.in_([r.seq for r in given]))
        ).scalars()
    )
    fresh = [r for r in given if r.seq not in held]
    if fresh:
        uow.connection.execute(
            insert(SyncReceipt),
            [
                {
                    "seq": r.seq,
                    "chain_id": r.chain_id,
                    "hash": r.hash,
                    "received_at": r.received_at,
                    "key_id": r.key_id,
                    "signature": r.signature,
                }
                for r in fresh
            ],
        )
    return len(fresh)


def receipts(uow: UnitOfWork) -> list[Receipt]:
    rows = uow.connection.execute(
        select(
            SyncReceipt.chain_id,
            SyncReceipt.seq,
            SyncReceipt.hash,
            SyncReceipt.received_at,
            SyncReceipt.key_id,
            SyncReceipt.signature,
        ).order_by(SyncReceipt.seq)
    )
    return [Receipt(str(c), int(s), str(h), str(r), str(k), str(g)) for c, s, h, r, k, g in rows]


def last_receipt(uow: UnitOfWork) -> Receipt | None:
    row = uow.connection.execute(
        select(
            SyncReceipt.chain_id,
            SyncReceipt.seq,
            SyncReceipt.hash,
            SyncReceipt.received_at,
            SyncReceipt.key_id,
            SyncReceipt.signature,
        )
        .order_by(SyncReceipt.seq.desc())
        .limit(1)
    ).first()
    return (
        None
        if row is None
        else Receipt(str(row[0]), int(row[1]), str(row[2]), str(row[3]), str(row[4]), str(row[5]))
    )


def receipt_for(uow: UnitOfWork, seq: int) -> Receipt | None:
    for receipt in receipts(uow):
        if receipt.seq == seq:
            return receipt
    return None


@dataclass(frozen=True)
class AnchorReport:
    receipts: int
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


def check_receipts(uow: UnitOfWork, hub_key: Ed25519PublicKey | None) -> AnchorReport:
    """Every receipt against the chain: the event is there and has the receipted hash; with the
    pinned hub key, each receipt's signature verifies too (a planted receipt proves nothing)."""
    ours = chain_id(uow)
    given = receipts(uow)
    found = uow.connection.execute(
        text("SELECT seq, hash FROM audit_events WHERE seq IN (SELECT seq FROM sync_receipts)")
    )
    hashes = {int(seq): str(hash_) for seq, hash_ in found}
    problems: list[str] = []
    for receipt in given:
        if receipt.chain_id != ours:
            problems.append(f"receipt for seq {receipt.seq} is for chain {receipt.chain_id}, not {ours}")
        elif receipt.seq not in hashes:
            problems.append(f"event {receipt.seq}, acknowledged by the hub, is missing (truncated trail)")
        elif hashes[receipt.seq] != receipt.hash:
            problems.append(f"event {receipt.seq} differs from what the hub acknowledged (rewritten trail)")
        elif hub_key is not None:
            try:
                check(receipt, hub_key)
            except ReceiptInvalid as exc:
                problems.append(str(exc))
    return AnchorReport(len(given), problems)


def quick_check(uow: UnitOfWork, hub_key: Ed25519PublicKey | None) -> tuple[int, list[str]]:
    """The last receipt holds, and every event after it recomputes and links to it: the count
    of events checked and the problems (the first one only: what follows a break is unanchored)."""
    last = last_receipt(uow)
    problems: list[str] = []
    after, prev = 0, None
    if last is not None:
        report = check_receipts_last(uow, last, hub_key)
        if report:
            return 0, [report]
        after, prev = last.seq, last.hash
    rows = uow.connection.execute(
        text(f"SELECT {_FIELDS} FROM audit_events WHERE seq > :after ORDER BY seq"), {"after": after}
    )
    checked = 0
    expected_seq = after + 1
    for row in rows.mappings():
        event = dict(row)
        if event["seq"] != expected_seq:
            problems.append(f"event {expected_seq} is missing")
            break
        if prev is not None and event["prev_hash"] != prev:
            problems.append(f"event {event['seq']} does not link to event {event['seq'] - 1}")
            break
        if event_hash_of_texts(event) != event["hash"]:
            problems.append(f"event {event['seq']}: its hash does not match its fields")
            break
        prev, expected_seq, checked = event["hash"], expected_seq + 1, checked + 1
    head = uow.connection.execute(text("SELECT last_seq, last_hash FROM chain_head WHERE id = 1")).first()
    if not problems and head is not None and int(head[0]) != expected_seq - 1:
        problems.append(f"the chain head names event {head[0]}, the trail ends at {expected_seq - 1}")
    return checked, problems


def check_receipts_last(uow: UnitOfWork, last: Receipt, hub_key: Ed25519PublicKey | None) -> str | None:
    found = uow.connection.execute(
        text("SELECT hash FROM audit_events WHERE seq = :seq"), {"seq": last.seq}
    ).first()
    if found is None:
        return f"event {last.seq}, acknowledged by the hub, is missing (truncated trail)"
    if found[0] != last.hash:
        return f"event {last.seq} differs from what the hub acknowledged (rewritten trail)"
    if hub_key is not None:
        try:
            check(last, hub_key)
        except ReceiptInvalid as exc:
            return str(exc)
    return None

"""Offline verification of a JSON export: no database, only the file (see JSON_FORMAT.md).

``verify_export(data)`` recomputes every event hash and link, checks the batch stream has no
gap or repeat, that every typed record and every signed record matches the hash the audit trail
holds, the header's summary of the chain, and the seal over the whole document. Any change to
the content of the file makes it fail; the first failed check is reported, naming the first bad
event (its ``seq``) where there is one.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from ebr import chain
from ebr.export.json_export import FORMAT_NAME, FORMAT_VERSION, SEAL_ALGORITHM, seal_of
from ebr.export.json_readable import ReadableMismatch, check_readable
from ebr.sync.receipts import Receipt, ReceiptInvalid, check

_EVENT_KEYS = frozenset((*chain.EVENT_FIELDS, "hash"))
_SIGNATURE_COLUMNS = (
    ("user_id", "signer_id"),
    ("printed_name", "printed_name"),
    ("meaning", "meaning"),
    ("signed_at", "signed_at"),
    ("signed_hash", "signed_hash"),
)


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    problem: str | None = None
    first_bad_event: int | None = None  # the seq of the first event found bad
    batch_id: str | None = None
    event_count: int = 0
    # True when the file is not a batch record export at all (not UTF-8, not JSON, another
    # format or format version): unreadable input, not a record found altered.
    unreadable: bool = False

    def __bool__(self) -> bool:
        return self.ok


class _Bad(Exception):
    def __init__(self, problem: str, seq: int | None = None) -> None:
        super().__init__(problem)
        self.problem = problem
        self.seq = seq


class _Unreadable(_Bad):
    """The file is no batch record export this verifier reads."""


def verify_export(data: bytes, hub_key: Ed25519PublicKey | None = None) -> VerifyResult:
    """Verify a JSON export offline. ``ok`` is True only when every check passes."""
    batch_id: str | None = None
    count = 0
    try:
        document = _parse(data)
        header = _obj(document.get("header"), "header")
        batch_id = _text(header.get("batch_id"), "header.batch_id")
        events = _list(document.get("audit_events"), "audit_events")
        count = len(events)
        _check_events(events, batch_id)
        records = _check_records(_list(document.get("records"), "records"), events)
        body = _obj(document.get("batch_record"), "batch_record")
        _check_signatures(_list(body.get("signatures"), "batch_record.signatures"), records, events)
        _check_summary(_obj(header.get("audit_trail"), "header.audit_trail"), events, batch_id)
        _check_hub_receipt(_obj(header.get("audit_trail"), "header.audit_trail"), events, hub_key)
        _check_seal(document)
        # Last: a plain edit is the seal's to catch; one with the seal made again is this step's.
        try:
            check_readable(document, records, events)
        except ReadableMismatch as mismatch:
            raise _Bad(f"the readable part does not match the hashed record: {mismatch}") from None
    except _Bad as bad:
        return VerifyResult(False, bad.problem, bad.seq, batch_id, count, isinstance(bad, _Unreadable))
    return VerifyResult(True, None, None, batch_id, count)


# ---------------------------------------------------------------- steps


def _parse(data: bytes) -> dict[str, Any]:
    def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key, value in pairs:
            if key in result:
                raise _Bad(f"the key {key!r} appears twice in one object")
            result[key] = value
        return result

    def no_constant(name: str) -> Any:
        raise _Bad(f"{name} is not allowed in an export")

    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _Unreadable(f"not UTF-8 text (byte {exc.start})") from None
    try:
        document = json.loads(text, object_pairs_hook=no_duplicates, parse_constant=no_constant)
    except json.JSONDecodeError as exc:
        raise _Unreadable(f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    except RecursionError:
        raise _Unreadable("not a batch record export: nested deeper than any export is") from None
    except ValueError as exc:  # an integer of thousands of digits, refused by the JSON reader
        raise _Unreadable(f"not a batch record export: {str(exc).split(';')[0]}") from None
    if not isinstance(document, dict):
        raise _Unreadable("not a batch record export: the document is not a JSON object")
    if document.get("format") != FORMAT_NAME:
        raise _Unreadable(
            f"not a batch record export: format is {document.get('format')!r}, expected {FORMAT_NAME!r}"
        )
    if document.get("format_version") != FORMAT_VERSION:
        raise _Unreadable(
            f"unsupported format_version {document.get('format_version')!r} (this verifier reads {FORMAT_VERSION})"
        )
    return document


def _check_events(events: list[Any], batch_id: str) -> None:
    previous: Mapping[str, Any] | None = None
    for n, item in enumerate(events, start=1):
        event = _obj(item, f"audit event #{n}")
        seq = event.get("seq")
        if not isinstance(seq, int) or isinstance(seq, bool):
            raise _Bad(f"audit event #{n} has no integer seq", previous.get("seq") if previous else None)
        keys = set(event)
        if keys != _EVENT_KEYS:
            extra, missing = sorted(keys - _EVENT_KEYS), sorted(_EVENT_KEYS - keys)
            detail = "; ".join(
                part
                for part in (
                    f"unexpected field(s) {', '.join(extra)}" if extra else "",
                    f"missing field(s) {', '.join(missing)}" if missing else "",
                )
                if part
            )
            raise _Bad(f"event seq {seq}: {detail}", seq)
        if event["stream"] != batch_id:
            raise _Bad(
                f"event seq {seq} belongs to stream {event['stream']!r}, not to batch {batch_id!r}", seq
            )
        if event["stream_seq"] != n:
            raise _Bad(
                f"event seq {seq} has stream_seq {event['stream_seq']!r} where {n} was expected: "
                "an event was removed, added or moved",
                seq,
            )
        if previous is not None and seq <= previous["seq"]:
            raise _Bad(f"event seq {seq} follows seq {previous['seq']}: the events are out of order", seq)
        try:
            recomputed = chain.event_hash(event)
        except (TypeError, ValueError) as exc:
            raise _Bad(f"event seq {seq} cannot be hashed: {exc}", seq) from None
        if recomputed != event["hash"]:
            raise _Bad(f"event seq {seq} was altered: its content does not match its hash", seq)
        if seq == 1 and event["prev_hash"] != chain.GENESIS:
            raise _Bad("event seq 1 does not start the chain (prev_hash is not the genesis hash)", seq)
        if previous is not None and seq == previous["seq"] + 1 and event["prev_hash"] != previous["hash"]:
            raise _Bad(
                f"event seq {seq} does not link to event seq {previous['seq']} (prev_hash differs)", seq
            )
        previous = event


def _check_records(items: list[Any], events: list[Any]) -> dict[tuple[str, str], Mapping[str, Any]]:
    records: dict[tuple[str, str], Mapping[str, Any]] = {}
    for n, item in enumerate(items, start=1):
        record = _obj(item, f"record #{n}")
        table = _text(record.get("table"), f"record #{n} table")
        uid = _text(record.get("uid"), f"record #{n} uid")
        content = _obj(record.get("content"), f"record {table}/{uid} content")
        if "uid" in content and content["uid"] != uid:
            raise _Bad(f"record {table}/{uid}: its content carries another uid ({content['uid']!r})")
        if (table, uid) in records:
            raise _Bad(f"record {table}/{uid} appears twice")
        records[(table, uid)] = content
    pointed: set[tuple[str, str]] = set()
    for event in events:
        table, uid = event["record_table"], event["record_uid"]
        if table is None and uid is None and event["record_hash"] is None:
            continue
        seq = event["seq"]
        key = (str(table), str(uid))
        if key in pointed:
            raise _Bad(
                f"event seq {seq} points at record {table}/{uid}, which another event already wrote", seq
            )
        pointed.add(key)
        written = records.get(key)
        if written is None:
            raise _Bad(f"event seq {seq} wrote record {table}/{uid}, which is missing from the export", seq)
        if chain.record_hash(written) != event["record_hash"]:
            raise _Bad(
                f"record {table}/{uid} was altered: it does not match the hash in event seq {seq}", seq
            )
    for table, uid in records:
        if (table, uid) not in pointed:
            raise _Bad(f"record {table}/{uid} is not in the audit trail: no event wrote it")
    return records


def _check_signatures(
    items: list[Any], records: dict[tuple[str, str], Mapping[str, Any]], events: list[Any]
) -> None:
    writer = {(e["record_table"], e["record_uid"]): e["seq"] for e in events if e["record_table"] is not None}
    by_uid = {e["uid"]: e for e in events}
    for n, item in enumerate(items, start=1):
        signature = _obj(item, f"signature #{n}")
        name = f"signature {signature.get('uid')!r} ({signature.get('printed_name')!r}, {signature.get('meaning')!r})"
        ref = _obj(signature.get("ref"), f"{name}: ref")
        own_key = (str(ref.get("table")), str(ref.get("uid")))
        own = records.get(own_key)
        if own is None:
            raise _Bad(f"{name}: its signature record {own_key[0]}/{own_key[1]} is not in the export")
        seq = writer.get(own_key)
        for field, column in _SIGNATURE_COLUMNS:
            if column in own and own[column] != signature.get(field):
                raise _Bad(f"{name}: {field} differs from the signature record", seq)
        signed = _obj(signature.get("signed_record"), f"{name}: signed_record")
        table, uid = str(signed.get("table")), str(signed.get("uid"))
        if ("record_table" in own and own["record_table"] != table) or (
            "record_uid" in own and own["record_uid"] != uid
        ):
            raise _Bad(f"{name}: signed_record differs from the signature record", seq)
        if table == "audit_events":
            event = by_uid.get(uid)
            if event is None:
                raise _Bad(f"{name}: the signed event {uid} is not in the export", seq)
            actual = event["hash"]
        else:
            content = records.get((table, uid))
            if content is None:
                raise _Bad(f"{name}: the signed record {table}/{uid} is not in the export", seq)
            actual = chain.record_hash(content)
        if actual != signature.get("signed_hash"):
            raise _Bad(f"{name}: what was signed ({table}/{uid}) no longer matches the signed hash", seq)


def _check_summary(summary: Mapping[str, Any], events: list[Any], batch_id: str) -> None:
    expected = {
        "stream": batch_id,
        "event_count": len(events),
        "first_seq": events[0]["seq"] if events else None,
        "last_seq": events[-1]["seq"] if events else None,
        "last_hash": events[-1]["hash"] if events else chain.GENESIS,
    }
    for key, value in expected.items():
        if summary.get(key) != value:
            raise _Bad(
                f"header.audit_trail.{key} is {summary.get(key)!r} but the events give {value!r}: "
                "events were removed or added"
            )


def _check_hub_receipt(
    summary: Mapping[str, Any], events: list[Any], hub_key: Ed25519PublicKey | None
) -> None:
    """The hub's receipt, where the export carries one, names the export's last event; with the
    pinned hub key it must also be the hub's signature. A truncated export, or one rewritten with
    every hash and the seal made again, no longer matches what the hub signed."""
    given = summary.get("hub_receipt")
    if given is None:
        return
    try:
        receipt = Receipt.from_json(given)
        if hub_key is not None:
            check(receipt, hub_key)
    except ReceiptInvalid as exc:
        raise _Bad(f"header.audit_trail.hub_receipt: {exc}") from None
    last = events[-1] if events else None
    if last is None or receipt.seq != last["seq"] or receipt.hash != last["hash"]:
        raise _Bad(
            f"the hub's receipt is for event {receipt.seq} ({receipt.hash[:12]}...), the export ends at "
            f"{last['seq'] if last else 'no event'}: events were removed or rewritten"
        )


def _check_seal(document: dict[str, Any]) -> None:
    seal = _obj(document.get("seal"), "seal")
    if seal.get("algorithm") != SEAL_ALGORITHM:
        raise _Bad(f"unknown seal algorithm {seal.get('algorithm')!r}")
    if seal.get("value") != seal_of(document):
        raise _Bad("the seal does not match the document: the file was changed after export")


# ---------------------------------------------------------------- shapes


def _obj(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _Bad(f"{what} is missing or not an object")
    return value


def _list(value: Any, what: str) -> list[Any]:
    if not isinstance(value, list):
        raise _Bad(f"{what} is missing or not a list")
    return value


def _text(value: Any, what: str) -> str:
    if not isinstance(value, str) or not value:
        raise _Bad(f"{what} is missing or not text")
    return value

"""The JSON export verifies offline, and any change to its content is detected."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

import pytest

from ebr import chain
from ebr.export.json_export import FORMAT_NAME, FORMAT_VERSION, export_document, export_json, seal_of
from ebr.export.json_verify import verify_export
from ebr.export.record import BatchRecord


def _dump(document: dict[str, Any]) -> bytes:
    return json.dumps(document, indent=1, ensure_ascii=False).encode("utf-8")


def _reseal(document: dict[str, Any]) -> dict[str, Any]:
    document["seal"]["value"] = seal_of(document)
    return document


def _leaves(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _leaves(item, (*path, index))
    else:
        yield path


def _changed(value: Any) -> Any:
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    if isinstance(value, str):
        return value[:-1] + ("x" if not value.endswith("x") else "y") if value else "x"
    return "x"  # None


def _set(document: dict[str, Any], path: tuple[Any, ...], value: Any) -> None:
    node: Any = document
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value


def _get(document: dict[str, Any], path: tuple[Any, ...]) -> Any:
    node: Any = document
    for key in path:
        node = node[key]
    return node


def test_export_verifies(any_record: BatchRecord) -> None:
    result = verify_export(export_json(any_record))
    assert result.ok, result.problem
    assert result.problem is None and result.first_bad_event is None
    assert result.batch_id == any_record.batch_id
    assert result.event_count == len(any_record.events)


def test_export_is_complete_and_self_describing(exceptional: BatchRecord) -> None:
    document = export_document(exceptional)
    assert document["format"] == FORMAT_NAME and document["format_version"] == FORMAT_VERSION
    assert any("sha256(prev_hash" in step for step in document["verification"]["steps"])
    header = document["header"]
    assert header["batch_id"] == "B-2611-003" and header["site_timezone"] == "Europe/Berlin"
    assert header["batch_size"] == "120" and header["chain_verified"] is True
    trail = header["audit_trail"]
    assert trail["event_count"] == len(exceptional.events) == len(document["audit_events"])
    assert trail["last_hash"] == exceptional.events[-1]["hash"]
    body = document["batch_record"]
    for section in ("operations", "equipment", "consumptions", "measurements", "refusals", "deviations"):
        assert body[section], section
    assert [r["decision"] for r in body["reviews"]] == ["rejected"]
    assert [o["reason"] for o in body["overrides"]][3] == "QC retest passed (LIMS sample 26-11873)"
    found = body["exceptions"]
    sizes = {k: len(v) for k, v in found.items() if k != "count"}
    assert sizes == {
        "overridden_refusals": 2,  # the weighing out of tolerance, the lot due for retest
        "other_refusals": 7,
        "deviations": 5,
        "open_deviations": 0,
        "out_of_limits": 1,
        "refused_weighings": 1,
        "overrides": 5,
        "manual_weighings": 3,  # typed in (the script's weighings), not read from a scale
    }
    assert found["count"] == sum(n for k, n in sizes.items() if k != "open_deviations") == 24
    assert {e["hash"] for e in document["audit_events"]} == {e["hash"] for e in exceptional.events}
    assert len(document["records"]) == len(exceptional.records)
    assert body["consumptions"][0]["net"] == "60.60"  # decimals exactly as recorded, as text
    assert body["measurements"][0]["value"] == "171"


def test_export_is_deterministic(happy: BatchRecord) -> None:
    assert export_json(happy) == export_json(happy)


def test_reformatting_is_not_a_change(happy: BatchRecord) -> None:
    document = json.loads(export_json(happy))
    assert verify_export(json.dumps(document, indent=4, sort_keys=True).encode()).ok
    assert verify_export(json.dumps(document, separators=(",", ":")).encode()).ok


def test_any_single_value_change_is_detected(exceptional: BatchRecord) -> None:
    """Every field of the header and of the first and last events, and every 11th other value."""
    document = export_document(exceptional)
    last = len(document["audit_events"]) - 1
    paths = [p for p in _leaves(document) if p[0] != "seal"]
    assert len(paths) > 1000
    chosen = [
        p
        for n, p in enumerate(paths)
        if p[0] in ("header", "format", "format_version")
        or (p[0] == "audit_events" and p[1] in (0, last))
        or n % 11 == 0
    ]
    for path in chosen:
        before = _get(document, path)
        _set(document, path, _changed(before))
        try:
            result = verify_export(json.dumps(document).encode())
        finally:
            _set(document, path, before)
        assert not result.ok, f"undetected change at {path}"
        assert result.problem
    assert verify_export(json.dumps(document).encode()).ok


@pytest.mark.parametrize("key", ["header", "batch_record", "records", "audit_events", "verification"])
def test_renamed_or_added_key_is_detected(happy: BatchRecord, key: str) -> None:
    document = export_document(happy)
    edited = copy.deepcopy(document)
    edited[key + "_x"] = edited.pop(key)
    assert not verify_export(_dump(edited)).ok
    added = copy.deepcopy(document)
    added["note"] = "added later"
    assert not verify_export(_dump(added)).ok


def test_changed_event_names_it(happy: BatchRecord) -> None:
    document = export_document(happy)
    event = next(e for e in document["audit_events"] if e["action"] == "weighing.accepted")
    event["new_value"]["gross"] = "61.37"
    result = verify_export(_dump(_reseal(document)))
    assert not result.ok
    assert result.first_bad_event == event["seq"]
    assert "altered" in (result.problem or "")


@pytest.mark.parametrize("index", [0, 5, -1])
def test_removed_event_is_detected(happy: BatchRecord, index: int) -> None:
    document = export_document(happy)
    events = document["audit_events"]
    removed = events.pop(index)
    result = verify_export(_dump(_reseal(document)))
    assert not result.ok
    if index != -1:
        following = events[index]
        assert result.first_bad_event == following["seq"], result.problem
        assert "stream_seq" in (result.problem or "")
    else:
        # the last event's removal shows in the summary (the record it wrote is left over first)
        assert removed["seq"] not in {e["seq"] for e in events}


def test_removed_last_event_with_its_record_and_summary_fixed_is_caught_by_the_seal(
    happy: BatchRecord,
) -> None:
    document = export_document(happy)
    removed = document["audit_events"].pop()
    document["records"] = [r for r in document["records"] if r["uid"] != removed["record_uid"]]
    document["batch_record"]["signatures"] = [
        s for s in document["batch_record"]["signatures"] if s["ref"]["uid"] != removed["record_uid"]
    ]
    trail = document["header"]["audit_trail"]
    trail.update(event_count=len(document["audit_events"]), last_seq=document["audit_events"][-1]["seq"])
    trail["last_hash"] = document["audit_events"][-1]["hash"]
    result = verify_export(_dump(document))
    assert not result.ok and "seal" in (result.problem or "")


def test_swapped_events_are_detected(happy: BatchRecord) -> None:
    document = export_document(happy)
    events = document["audit_events"]
    events[3], events[4] = events[4], events[3]
    result = verify_export(_dump(_reseal(document)))
    assert not result.ok
    assert result.first_bad_event == events[3]["seq"]


def test_swapped_stream_numbers_with_recomputed_hashes_break_the_links(happy: BatchRecord) -> None:
    document = export_document(happy)
    events = document["audit_events"]
    a, b = events[1], events[2]  # consecutive seqs: linked by prev_hash
    assert b["seq"] == a["seq"] + 1
    a["action"], b["action"] = b["action"], a["action"]
    a["hash"] = chain.event_hash(a)
    b["hash"] = chain.event_hash(b)
    result = verify_export(_dump(_reseal(document)))
    assert not result.ok and result.first_bad_event == b["seq"]


def test_edited_record_is_detected(happy: BatchRecord) -> None:
    document = export_document(happy)
    record = next(r for r in document["records"] if r["table"] == "lot_consumptions")
    record["content"]["net"] = "61.02"
    result = verify_export(_dump(_reseal(document)))
    assert not result.ok and "lot_consumptions" in (result.problem or "")
    writer = next(e for e in document["audit_events"] if e["record_uid"] == record["uid"])
    assert result.first_bad_event == writer["seq"]


def test_signature_manifest_edit_is_detected_even_with_a_new_seal(happy: BatchRecord) -> None:
    document = export_document(happy)
    signature = document["batch_record"]["signatures"][0]
    signature["printed_name"] = "Someone Else"
    result = verify_export(_dump(_reseal(document)))
    assert not result.ok and "printed_name" in (result.problem or "")


def test_signed_record_changed_after_signing_is_detected(happy: BatchRecord) -> None:
    document = export_document(happy)
    signature = document["batch_record"]["signatures"][0]
    signature["signed_hash"] = "0" * 64
    result = verify_export(_dump(_reseal(document)))
    assert not result.ok and "signature" in (result.problem or "")


def test_structured_view_edit_is_caught_by_the_seal(happy: BatchRecord) -> None:
    document = export_document(happy)
    document["batch_record"]["measurements"][2]["value"] = "1.83"
    result = verify_export(_dump(document))
    assert not result.ok and "seal" in (result.problem or "")


@pytest.mark.parametrize(
    ("data", "words", "unreadable"),
    [
        (b"\xff\xfe", "UTF-8", True),
        (b"{not json", "not valid JSON", True),
        (b"[]", "not a JSON object", True),
        (b'{"format": "other"}', "not a batch record export", True),
        (b'{"format": "mes-station/batch-record", "format_version": 99}', "format_version", True),
        (b'{"format": "mes-station/batch-record", "format": "mes-station/batch-record"}', "twice", False),
        (b'{"format": "mes-station/batch-record", "format_version": 1, "x": NaN}', "NaN", False),
    ],
)
def test_unreadable_input_is_reported(data: bytes, words: str, unreadable: bool) -> None:
    """Not an export at all is unreadable input; an export's ambiguous JSON counts as altered."""
    result = verify_export(data)
    assert not result.ok and words in (result.problem or "")
    assert result.unreadable is unreadable


def test_a_full_rewrite_with_recomputed_hashes_needs_the_anchor(happy: BatchRecord) -> None:
    """The hashes carry no secret: whoever recomputes every hash makes a file that verifies.
    Comparing header.audit_trail.last_hash with the station's chain head exposes it."""
    document = export_document(happy)
    original_head = document["header"]["audit_trail"]["last_hash"]
    events = document["audit_events"]
    events[-1]["reason"] = "rewritten"
    events[-1]["hash"] = chain.event_hash(events[-1])
    document["header"]["audit_trail"]["last_hash"] = events[-1]["hash"]
    signatures = document["batch_record"]["signatures"]
    assert all(s["signed_record"]["uid"] != events[-1]["uid"] for s in signatures)
    result = verify_export(_dump(_reseal(document)))
    assert result.ok
    assert document["header"]["audit_trail"]["last_hash"] != original_head


def _drop_from_completion(document: dict[str, Any]) -> None:
    """The events from the batch's completion on removed, with the records they wrote and the
    readable rows of those records, and the summary made to match: a consistent shorter file."""
    events = document["audit_events"]
    cut = next(i for i, e in enumerate(events) if e["action"] == "batch.completed")
    dropped, kept = events[cut:], events[:cut]
    gone = {(e["record_table"], e["record_uid"]) for e in dropped}
    document["audit_events"] = kept
    document["records"] = [r for r in document["records"] if (r["table"], r["uid"]) not in gone]
    body = document["batch_record"]
    body["reviews"] = [r for r in body["reviews"] if ("reviews", r["uid"]) not in gone]
    body["signatures"] = [s for s in body["signatures"] if ("signatures", s["uid"]) not in gone]
    body["refusals"] = [r for r in body["refusals"] if r["uid"] in {e["uid"] for e in kept}]
    trail = document["header"]["audit_trail"]
    trail.update(event_count=len(kept), last_seq=kept[-1]["seq"], last_hash=kept[-1]["hash"])


def _cons(document: dict[str, Any], accepted: bool = True) -> dict[str, Any]:
    return next(c for c in document["batch_record"]["consumptions"] if c["accepted"] is accepted)


@pytest.mark.parametrize(
    ("name", "edit"),
    [
        ("overrides emptied", lambda d: d["batch_record"].__setitem__("overrides", [])),
        ("deviations emptied", lambda d: d["batch_record"].__setitem__("deviations", [])),
        ("refusals emptied", lambda d: d["batch_record"].__setitem__("refusals", [])),
        ("exceptions emptied", lambda d: d["batch_record"]["exceptions"].update(
            {k: [] for k in d["batch_record"]["exceptions"] if k != "count"}, count=0)),
        ("net weight", lambda d: _cons(d).__setitem__("net", "60.00")),
        ("lot", lambda d: _cons(d).__setitem__("lot", "P24-0001")),
        ("weighed_by", lambda d: _cons(d).__setitem__("weighed_by", "sv.nowak")),
        ("a refused weighing passed off as accepted", lambda d: _cons(d, False).__setitem__("accepted", True)),
        ("the last events dropped, the summary made to match", lambda d: _drop_from_completion(d)),
    ],
)  # fmt: skip
def test_the_readable_part_is_rebuilt_from_the_hashed_record(
    exceptional: BatchRecord, name: str, edit: Any
) -> None:
    """An edit of what a reviewer reads, with the seal made again to match, is caught: the
    readable part is checked against the hashed records and events (step 7)."""
    document = export_document(exceptional)
    assert verify_export(_dump(_reseal(document))).ok
    edit(document)
    result = verify_export(_dump(_reseal(document)))
    assert not result.ok, name
    assert result.problem and ("readable part" in result.problem or "event" in result.problem), result.problem


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"[" * 100_000, "nested deeper"),
        (b'{"format": 1' + b"0" * 100_000 + b"}", "digits"),
    ],
)
def test_hostile_json_is_unreadable_input_not_an_internal_error(data: bytes, words: str) -> None:
    result = verify_export(data)
    assert not result.ok and result.unreadable and words in (result.problem or "")
